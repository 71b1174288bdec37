-- The operator console: staff sign-in accounts and the live feed's durable, ordered event log.

-- One sign-in per staff member. The password is hashed with argon2id; the plain text is never stored.
CREATE TABLE console_accounts (
  staff_id             text PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
  username             text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._@-]{3,64}$'),
  password_hash        text NOT NULL,
  disabled             boolean NOT NULL DEFAULT false,
  password_changed_at  timestamptz NOT NULL DEFAULT now(),
  last_login_at        timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now()
);

-- Every alarm, lifecycle and device-status change the console pushes, in one order. `seq` is the position a
-- browser resumes from after a reconnect (SSE Last-Event-ID); `event_id` (the Kafka event's own id, so a
-- redelivered message is recorded once) makes the feed idempotent. Writers take an advisory lock so rows
-- commit in seq order and a reader never skips a seq that commits late.
CREATE TABLE console_feed (
  seq          bigserial PRIMARY KEY,
  event_id     text NOT NULL UNIQUE,
  kind         text NOT NULL CHECK (kind IN ('alarm', 'lifecycle', 'device')),
  org_id       text NOT NULL,
  area_id      text,
  resident_id  text,
  alarm_id     uuid,
  at           timestamptz NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_feed_org_seq_idx ON console_feed (org_id, seq);

-- The console's alarm history is listed per organisation, newest first.
CREATE INDEX alarms_org_raised_idx ON alarms (org_id, raised_at DESC, id DESC);

-- Service-level reports find each alarm's raise in a window by organisation.
CREATE INDEX audit_log_raise_idx ON audit_log (org_id, at) WHERE action = 'raise';

-- Name-ordered pages of the registry lists, and sign-in by username whatever its case (also refusing
-- "Sun" next to "sun", which the case-sensitive UNIQUE above would let through).
CREATE INDEX residents_org_name_idx ON residents (org_id, full_name, id);
CREATE INDEX staff_org_name_idx ON staff (org_id, full_name, id);
CREATE UNIQUE INDEX console_accounts_username_lower_idx ON console_accounts (lower(username));
CREATE INDEX oncall_overrides_rotation_idx ON oncall_overrides (rotation_id);
