-- Daily contact for people living alone (每天至少联系1次) and the weekly test of buttons and wearables.

-- Per organisation: by when each day a required resident must have been contacted (local time), whether
-- device activity counts as contact, and how often devices must send a test signal (with a grace period
-- before a missed test becomes a device-fault alarm).
CREATE TABLE care_duty_settings (
  org_id                 text PRIMARY KEY REFERENCES organisations(id),
  contact_cutoff         time NOT NULL DEFAULT '18:00',
  device_activity_counts boolean NOT NULL DEFAULT false,
  test_interval_days     smallint NOT NULL DEFAULT 7 CHECK (test_interval_days BETWEEN 1 AND 90),
  test_grace_days        smallint NOT NULL DEFAULT 2 CHECK (test_grace_days BETWEEN 0 AND 30),
  updated_at             timestamptz NOT NULL DEFAULT now()
);

-- By default contact is required for very old people living alone (the ledger says who); a row here says
-- otherwise for one resident, either way.
CREATE TABLE contact_requirements (
  resident_id  text PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
  required     boolean NOT NULL,
  note         text,
  set_by       text REFERENCES staff(id),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every sign that someone was in touch: the "I'm OK" button, an operator's logged call, a carer's visit,
-- device activity. `source_id` makes recording the same signal twice a no-op. `local_date` is the day in
-- the organisation's time zone the signal counts for.
CREATE TABLE contact_signals (
  id           bigserial PRIMARY KEY,
  org_id       text NOT NULL,
  resident_id  text NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('checkin', 'call', 'visit', 'device_activity')),
  at           timestamptz NOT NULL,
  local_date   date NOT NULL,
  source_id    text NOT NULL UNIQUE,
  actor_kind   text NOT NULL CHECK (actor_kind IN ('staff', 'device', 'system')),
  actor_id     text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_signals_resident_day_idx ON contact_signals (resident_id, local_date);
CREATE INDEX contact_signals_org_day_idx ON contact_signals (org_id, local_date);

-- The verdict for each required resident and day, decided once at the cut-off.
CREATE TABLE contact_days (
  resident_id   text NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  local_date    date NOT NULL,
  org_id        text NOT NULL,
  status        text NOT NULL CHECK (status IN ('contacted', 'missed')),
  decided_at    timestamptz NOT NULL,
  alarm_id      uuid,
  PRIMARY KEY (resident_id, local_date)
);
CREATE INDEX contact_days_org_day_idx ON contact_days (org_id, local_date);

-- Test signals from buttons and wearables (the device's "button_test" event), one row each.
CREATE TABLE device_tests (
  device_id  text NOT NULL REFERENCES devices(id),
  at         timestamptz NOT NULL,
  event_id   text NOT NULL,
  PRIMARY KEY (device_id, event_id)
);
CREATE INDEX device_tests_device_at_idx ON device_tests (device_id, at DESC);
