-- Alerting: each resident's alert profile (a doctor's vital-sign overrides, safe zones, activity plan) and
-- the alarms the alert service raises, with their evidence and an outbox of alarm events for Kafka.

CREATE TABLE resident_vital_thresholds (
  resident_id       text PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
  heart_rate_low    smallint,
  heart_rate_high   smallint,
  spo2_low          real,
  systolic_high     smallint,
  systolic_low      smallint,
  diastolic_high    smallint,
  temperature_high  real,
  temperature_low   real,
  glucose_low       real,
  glucose_high      real,
  sustain_seconds   integer CHECK (sustain_seconds IS NULL OR sustain_seconds BETWEEN 0 AND 3600),
  set_by            text REFERENCES staff(id),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE safe_zones (
  id           text PRIMARY KEY,
  resident_id  text NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  name         text NOT NULL,
  lat          double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon          double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  radius_m     real NOT NULL CHECK (radius_m > 0),
  active       boolean NOT NULL DEFAULT true,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX safe_zones_resident_idx ON safe_zones (resident_id);

-- The expected pattern of activity: how long a silence is normal for this person by day and by night.
CREATE TABLE activity_plans (
  resident_id                 text PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
  day_start                   time NOT NULL DEFAULT '07:00',
  night_start                 time NOT NULL DEFAULT '22:00',
  max_inactive_day_minutes    integer NOT NULL DEFAULT 180 CHECK (max_inactive_day_minutes > 0),
  max_inactive_night_minutes  integer NOT NULL DEFAULT 600 CHECK (max_inactive_night_minutes > 0),
  warning_ratio               real NOT NULL DEFAULT 0.75 CHECK (warning_ratio > 0 AND warning_ratio < 1),
  updated_at                  timestamptz NOT NULL DEFAULT now()
);

-- Alarms as the alert service sees them: open until their condition clears (or, for SOS and fall, until a
-- person closes them through escalation). At most one open alarm per resident, type and scope.
CREATE TABLE alarms (
  id            uuid PRIMARY KEY,
  org_id        text NOT NULL,
  resident_id   text NOT NULL,
  device_id     text,
  -- '' for alarms about the person; the device id for alarms about a device (each device has its own).
  scope         text NOT NULL DEFAULT '',
  type          text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  priority      integer NOT NULL,
  status        text NOT NULL CHECK (status IN ('open', 'cleared', 'cancelled')),
  incident_id   uuid NOT NULL,
  occurrences   integer NOT NULL DEFAULT 1 CHECK (occurrences > 0),
  started_at    timestamptz NOT NULL,
  raised_at     timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  closed_at     timestamptz,
  close_reason  text,
  detail        jsonb NOT NULL DEFAULT '{}',
  version       integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX alarms_one_open_per_slot ON alarms (resident_id, type, scope) WHERE status = 'open';
CREATE INDEX alarms_incident_idx ON alarms (incident_id);
CREATE INDEX alarms_resident_raised_idx ON alarms (resident_id, raised_at DESC);

-- What made each alarm: one row per contributing event. The primary key makes applying an event twice
-- (Kafka redelivery after a crash) a no-op.
CREATE TABLE alarm_evidence (
  alarm_id   uuid NOT NULL REFERENCES alarms(id),
  event_id   text NOT NULL,
  at         timestamptz NOT NULL,
  kind       text NOT NULL,
  role       text NOT NULL CHECK (role IN ('raise', 'update', 'clear', 'cancel')),
  "values"   jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (alarm_id, event_id, role)
);

-- Transactional outbox: alarm events are written with the alarm change and published to Kafka afterwards,
-- so a crash between the database commit and the Kafka write cannot lose one.
CREATE TABLE alarm_outbox (
  seq         bigserial PRIMARY KEY,
  event_id    uuid NOT NULL UNIQUE,
  key         text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION notify_resident_profile_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('anxin_resident_profile', COALESCE(NEW.resident_id, OLD.resident_id));
  RETURN NULL;
END $$;

CREATE FUNCTION notify_resident_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('anxin_resident_profile', COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END $$;

CREATE TRIGGER resident_vital_thresholds_changed AFTER INSERT OR UPDATE OR DELETE ON resident_vital_thresholds
  FOR EACH ROW EXECUTE FUNCTION notify_resident_profile_change();
CREATE TRIGGER safe_zones_changed AFTER INSERT OR UPDATE OR DELETE ON safe_zones
  FOR EACH ROW EXECUTE FUNCTION notify_resident_profile_change();
CREATE TRIGGER activity_plans_changed AFTER INSERT OR UPDATE OR DELETE ON activity_plans
  FOR EACH ROW EXECUTE FUNCTION notify_resident_profile_change();
CREATE TRIGGER residents_changed AFTER UPDATE ON residents
  FOR EACH ROW EXECUTE FUNCTION notify_resident_change();
