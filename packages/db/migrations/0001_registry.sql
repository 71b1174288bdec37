-- The care registry: organisations, areas, staff, residents with their priority-ledger flags, emergency
-- contacts, devices with broker credentials, and which resident wears which device.

CREATE TABLE organisations (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  timezone    text NOT NULL DEFAULT 'Asia/Shanghai',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE areas (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES organisations(id),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES organisations(id),
  area_id     text REFERENCES areas(id),
  full_name   text NOT NULL,
  role        text NOT NULL CHECK (role IN ('administrator', 'supervisor', 'operator', 'carer', 'doctor', 'auditor')),
  phone       text,
  email       text,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE residents (
  id                text PRIMARY KEY,
  org_id            text NOT NULL REFERENCES organisations(id),
  area_id           text REFERENCES areas(id),
  full_name         text NOT NULL,
  gender            text NOT NULL CHECK (gender IN ('female', 'male')),
  birth_date        date NOT NULL,
  phone             text,
  address           text NOT NULL,
  lat               double precision,
  lon               double precision,
  living_situation  text NOT NULL CHECK (living_situation IN ('alone', 'with_spouse', 'with_family', 'care_home')),
  care_level        text NOT NULL CHECK (care_level IN ('independent', 'semi_dependent', 'dependent')),
  -- Priority-ledger flags (台账): they raise an alarm's priority.
  flag_disabled     boolean NOT NULL DEFAULT false,
  flag_dementia     boolean NOT NULL DEFAULT false,
  flag_very_old     boolean NOT NULL DEFAULT false,
  flag_living_alone boolean NOT NULL DEFAULT false,
  flag_empty_nest   boolean NOT NULL DEFAULT false,
  conditions        text[] NOT NULL DEFAULT '{}'
                    CHECK (conditions <@ ARRAY['hypertension', 'diabetes', 'heart_disease', 'copd', 'dementia', 'stroke_history']::text[]),
  medication_notes  text,
  assigned_carer_id text REFERENCES staff(id),
  family_doctor_id  text REFERENCES staff(id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX residents_org_area_idx ON residents (org_id, area_id);

CREATE TABLE emergency_contacts (
  resident_id  text NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
  position     smallint NOT NULL CHECK (position > 0),
  full_name    text NOT NULL,
  relation     text NOT NULL,
  phone        text NOT NULL,
  PRIMARY KEY (resident_id, position)
);

CREATE TABLE devices (
  id                      text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$'),
  org_id                  text NOT NULL REFERENCES organisations(id),
  type                    text NOT NULL CHECK (type IN ('watch', 'sos_pendant', 'wall_button', 'door_sensor', 'pir_sensor', 'bed_sensor')),
  model                   text,
  firmware                text,
  -- Mosquitto PBKDF2-SHA512 hash ($7$...); the plain password is never stored.
  mqtt_password_hash      text NOT NULL,
  status                  text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  -- A device silent for longer than this is offline (checked by the alert service).
  supervision_interval_s  integer NOT NULL CHECK (supervision_interval_s > 0),
  created_at              timestamptz NOT NULL DEFAULT now(),
  revoked_at              timestamptz
);

CREATE TABLE device_bindings (
  id           bigserial PRIMARY KEY,
  device_id    text NOT NULL REFERENCES devices(id),
  resident_id  text NOT NULL REFERENCES residents(id),
  bound_at     timestamptz NOT NULL DEFAULT now(),
  unbound_at   timestamptz,
  CHECK (unbound_at IS NULL OR unbound_at >= bound_at)
);
-- A device is worn by at most one resident at a time; the history stays.
CREATE UNIQUE INDEX device_bindings_one_current ON device_bindings (device_id) WHERE unbound_at IS NULL;
CREATE INDEX device_bindings_resident_idx ON device_bindings (resident_id);

-- Services cache the device registry; this tells them at once when a device or binding changes.
CREATE FUNCTION notify_device_registry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('anxin_device_registry', COALESCE(NEW.device_id, OLD.device_id));
  RETURN NULL;
END $$;

CREATE FUNCTION notify_device_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('anxin_device_registry', COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END $$;

CREATE TRIGGER device_bindings_changed AFTER INSERT OR UPDATE OR DELETE ON device_bindings
  FOR EACH ROW EXECUTE FUNCTION notify_device_registry_change();
CREATE TRIGGER devices_changed AFTER INSERT OR UPDATE OR DELETE ON devices
  FOR EACH ROW EXECUTE FUNCTION notify_device_change();
