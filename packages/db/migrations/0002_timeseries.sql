-- Time series from devices. The primary keys include the device's event id, so a redelivered Kafka batch
-- inserts nothing twice (ON CONFLICT DO NOTHING); they include `time` because TimescaleDB requires the
-- partitioning column in every unique index.

CREATE TABLE vitals (
  time         timestamptz NOT NULL,
  device_id    text NOT NULL,
  resident_id  text,
  event_id     uuid NOT NULL,
  heart_rate   smallint,
  spo2         real,
  systolic     smallint,
  diastolic    smallint,
  temperature  real,
  glucose      real,
  steps        integer,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (device_id, time, event_id)
);
CREATE INDEX vitals_resident_time_idx ON vitals (resident_id, time DESC);

CREATE TABLE locations (
  time         timestamptz NOT NULL,
  device_id    text NOT NULL,
  resident_id  text,
  event_id     uuid NOT NULL,
  lat          double precision NOT NULL,
  lon          double precision NOT NULL,
  accuracy_m   real,
  source       text,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (device_id, time, event_id)
);
CREATE INDEX locations_resident_time_idx ON locations (resident_id, time DESC);

CREATE TABLE device_status (
  time         timestamptz NOT NULL,
  device_id    text NOT NULL,
  event_id     uuid NOT NULL,
  battery      real,
  charging     boolean,
  worn         boolean,
  rssi         smallint,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (device_id, time, event_id)
);

-- Discrete device events, urgent (SOS, fall) and not (heartbeat, "I'm OK", button test, sensors).
CREATE TABLE device_events (
  time         timestamptz NOT NULL,
  device_id    text NOT NULL,
  resident_id  text,
  event_id     uuid NOT NULL,
  lane         text NOT NULL CHECK (lane IN ('alarm', 'event')),
  type         text NOT NULL,
  detail       jsonb NOT NULL DEFAULT '{}',
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (device_id, time, event_id)
);
CREATE INDEX device_events_resident_time_idx ON device_events (resident_id, time DESC);
