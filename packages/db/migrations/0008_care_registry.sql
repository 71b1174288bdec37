-- The care registry: households (定人包户: each household has an assigned carer), care teams, family-doctor
-- contracts (家庭医生签约), consent to the processing of health data, the registry's change events, bulk
-- imports, the device lifecycle (test mode, who provisioned and bound), and the priority ledger (台账) as a
-- view that derives flags from the data as well as keeping the manual ones.

-- From this age a resident is "very old" (高龄) for the ledger; policy documents use 80.
ALTER TABLE organisations ADD COLUMN very_old_age smallint NOT NULL DEFAULT 80 CHECK (very_old_age BETWEEN 60 AND 110);

CREATE TABLE households (
  id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{3,64}$'),
  org_id             text NOT NULL REFERENCES organisations(id),
  area_id            text REFERENCES areas(id),
  address            text NOT NULL,
  lat                double precision CHECK (lat BETWEEN -90 AND 90),
  lon                double precision CHECK (lon BETWEEN -180 AND 180),
  -- 定人包户: the carer who answers for this household and visits it regularly.
  assigned_carer_id  text REFERENCES staff(id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX households_org_area_idx ON households (org_id, area_id);
CREATE INDEX households_carer_idx ON households (assigned_carer_id);

ALTER TABLE residents ADD COLUMN household_id text REFERENCES households(id);
CREATE INDEX residents_household_idx ON residents (household_id);

CREATE TABLE care_teams (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{3,64}$'),
  org_id         text NOT NULL REFERENCES organisations(id),
  area_id        text REFERENCES areas(id),
  name           text NOT NULL,
  lead_staff_id  text REFERENCES staff(id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE care_team_members (
  team_id   text NOT NULL REFERENCES care_teams(id) ON DELETE CASCADE,
  staff_id  text NOT NULL REFERENCES staff(id),
  PRIMARY KEY (team_id, staff_id)
);

-- A resident's sign-up with a family doctor; at most one contract in force at a time, the history kept.
CREATE TABLE family_doctor_contracts (
  id           bigserial PRIMARY KEY,
  resident_id  text NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  doctor_id    text NOT NULL REFERENCES staff(id),
  signed_on    date NOT NULL,
  expires_on   date CHECK (expires_on IS NULL OR expires_on > signed_on),
  ended_on     date,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX family_doctor_contracts_one_current ON family_doctor_contracts (resident_id) WHERE ended_on IS NULL;

-- Consent is a history, never overwritten: the latest record per purpose is what holds now.
CREATE TABLE consent_records (
  id             bigserial PRIMARY KEY,
  resident_id    text NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  purpose        text NOT NULL CHECK (purpose IN ('health_data_processing', 'location_tracking', 'family_notification', 'share_with_doctor')),
  granted        boolean NOT NULL,
  given_by       text NOT NULL CHECK (given_by IN ('self', 'guardian', 'family')),
  given_by_name  text,
  recorded_by    text REFERENCES staff(id),
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  evidence_ref   text
);
CREATE INDEX consent_records_resident_idx ON consent_records (resident_id, purpose, recorded_at DESC);

-- Registry changes for the other services (topic anxin.registry.v1), written in the same transaction as the
-- change; names of changed fields only, never their values.
CREATE TABLE registry_outbox (
  seq         bigserial PRIMARY KEY,
  event_id    text NOT NULL UNIQUE,
  key         text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A bulk import and its per-row report (what was accepted, and why each refused row was refused).
CREATE TABLE registry_imports (
  id             uuid PRIMARY KEY,
  org_id         text NOT NULL REFERENCES organisations(id),
  staff_id       text NOT NULL REFERENCES staff(id),
  kind           text NOT NULL CHECK (kind IN ('residents')),
  file_name      text NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  rows_total     integer NOT NULL,
  rows_accepted  integer NOT NULL,
  rows_refused   integer NOT NULL,
  report         jsonb NOT NULL
);
CREATE INDEX registry_imports_org_idx ON registry_imports (org_id, received_at DESC);

-- Device lifecycle: a device in test mode raises test alarms (a test queue, nobody is called out); who
-- provisioned a device and who bound or unbound it.
ALTER TABLE devices ADD COLUMN test_mode boolean NOT NULL DEFAULT false;
ALTER TABLE devices ADD COLUMN provisioned_by text REFERENCES staff(id);
ALTER TABLE device_bindings ADD COLUMN bound_by text REFERENCES staff(id);
ALTER TABLE device_bindings ADD COLUMN unbound_by text REFERENCES staff(id);
ALTER TABLE alarms ADD COLUMN test boolean NOT NULL DEFAULT false;

-- The priority ledger (台账): each flag is the manual one or what the data says. Very old: the organisation's
-- age (in its time zone's today); living alone: recorded so, or the only resident of the household; disabled:
-- dependent care level; dementia: a dementia diagnosis; empty nest: alone or with a spouse only.
CREATE VIEW resident_ledger AS
SELECT r.id AS resident_id,
       r.org_id,
       r.area_id,
       (r.flag_disabled OR r.care_level = 'dependent') AS disabled,
       (r.flag_dementia OR 'dementia' = ANY (r.conditions)) AS dementia,
       (r.flag_very_old OR date_part('year', age((now() AT TIME ZONE o.timezone)::date, r.birth_date)) >= o.very_old_age) AS very_old,
       (r.flag_living_alone OR r.living_situation = 'alone'
         OR (r.household_id IS NOT NULL AND (SELECT count(*) FROM residents m WHERE m.household_id = r.household_id) = 1)) AS living_alone,
       (r.flag_empty_nest OR r.living_situation IN ('alone', 'with_spouse')) AS empty_nest
  FROM residents r
  JOIN organisations o ON o.id = r.org_id;

-- Services cache residents; a household's carer or membership change reaches them like a resident's.
CREATE FUNCTION notify_household_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('anxin_resident_profile', r.id) FROM residents r WHERE r.household_id = COALESCE(NEW.id, OLD.id);
  RETURN NULL;
END $$;
CREATE TRIGGER households_changed AFTER UPDATE OR DELETE ON households
  FOR EACH ROW EXECUTE FUNCTION notify_household_change();
