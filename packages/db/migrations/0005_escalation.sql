-- Escalation: each alarm's lifecycle, the durable timers that drive escalation, and the audit trail.

CREATE TABLE alarm_lifecycles (
  alarm_id          uuid PRIMARY KEY,
  org_id            text NOT NULL,
  resident_id       text NOT NULL,
  alarm_type        text NOT NULL,
  state             text NOT NULL,
  version           integer NOT NULL,
  escalation_level  integer NOT NULL DEFAULT -1,
  -- What the planner needs besides the lifecycle: acknowledgement and dispatch counts (timer keys use them).
  escalation        jsonb NOT NULL DEFAULT '{}',
  priority          integer NOT NULL DEFAULT 0,
  -- The whole lifecycle record (who acknowledged, outcome, ...) as the domain keeps it.
  lifecycle         jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alarm_lifecycles_open_idx ON alarm_lifecycles (org_id, state) WHERE state NOT IN ('resolved', 'closed');

-- A timer fires exactly once: its key is deterministic (e.g. "<alarm id>:escalate:<level>"), so scheduling
-- it twice is a no-op, and it is marked fired in the same transaction as the work it triggers.
CREATE TABLE escalation_timers (
  key           text PRIMARY KEY,
  alarm_id      uuid NOT NULL,
  kind          text NOT NULL,
  level         integer NOT NULL DEFAULT 0,
  due_at        timestamptz NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}',
  fired_at      timestamptz,
  cancelled_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX escalation_timers_due_idx ON escalation_timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX escalation_timers_alarm_idx ON escalation_timers (alarm_id);

-- Append-only audit trail with a hash chain per organisation: each entry's hash covers its content and the
-- previous entry's hash, so changing or removing any entry breaks every hash after it.
CREATE TABLE audit_log (
  seq          bigserial PRIMARY KEY,
  org_id       text NOT NULL,
  alarm_id     uuid,
  resident_id  text,
  actor_kind   text NOT NULL CHECK (actor_kind IN ('staff', 'contact', 'system')),
  actor_id     text NOT NULL,
  action       text NOT NULL,
  channel      text NOT NULL,
  at           timestamptz NOT NULL,
  detail       jsonb NOT NULL DEFAULT '{}',
  prev_hash    text NOT NULL,
  hash         text NOT NULL UNIQUE
);
CREATE INDEX audit_log_alarm_idx ON audit_log (alarm_id, seq);
CREATE INDEX audit_log_resident_idx ON audit_log (resident_id, seq);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_kind, actor_id, seq);
CREATE INDEX audit_log_org_seq_idx ON audit_log (org_id, seq);

CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

-- Escalation policies per organisation: which alarms they cover and their ordered steps (see
-- services/escalation/src/domain/policy.ts for the shape of `match` and `steps`).
CREATE TABLE escalation_policies (
  id                         text PRIMARY KEY,
  org_id                     text NOT NULL REFERENCES organisations(id),
  name                       text NOT NULL,
  match                      jsonb NOT NULL DEFAULT '{}',
  steps                      jsonb NOT NULL,
  handling_timeout_seconds   integer NOT NULL CHECK (handling_timeout_seconds > 0),
  arrival_timeout_seconds    integer NOT NULL CHECK (arrival_timeout_seconds > 0),
  repeat_every_seconds       integer NOT NULL CHECK (repeat_every_seconds > 0),
  updated_at                 timestamptz NOT NULL DEFAULT now()
);

-- On-call rotations per role and area (area NULL: the whole organisation), in local wall-clock time.
CREATE TABLE oncall_rotations (
  id            text PRIMARY KEY,
  org_id        text NOT NULL REFERENCES organisations(id),
  role          text NOT NULL CHECK (role IN ('operator', 'carer', 'doctor', 'supervisor')),
  area_id       text REFERENCES areas(id),
  timezone      text NOT NULL DEFAULT 'Asia/Shanghai',
  members       text[] NOT NULL CHECK (cardinality(members) > 0),
  start_date    date NOT NULL,
  handoff_time  time NOT NULL DEFAULT '08:00',
  shift_hours   integer NOT NULL CHECK (shift_hours BETWEEN 1 AND 168),
  active_days   smallint[],
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oncall_overrides (
  id           bigserial PRIMARY KEY,
  rotation_id  text NOT NULL REFERENCES oncall_rotations(id) ON DELETE CASCADE,
  staff_id     text NOT NULL REFERENCES staff(id),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oncall_holidays (
  rotation_id  text NOT NULL REFERENCES oncall_rotations(id) ON DELETE CASCADE,
  local_date   date NOT NULL,
  staff_id     text NOT NULL REFERENCES staff(id),
  PRIMARY KEY (rotation_id, local_date)
);

-- Transactional outbox for lifecycle events and dispatch commands. `topic` names the declared topic by its
-- key in packages/contracts (alarmLifecycle, dispatchCommand), so deployments with topic suffixes work.
CREATE TABLE escalation_outbox (
  seq         bigserial PRIMARY KEY,
  event_id    text NOT NULL UNIQUE,
  topic       text NOT NULL CHECK (topic IN ('alarmLifecycle', 'dispatchCommand')),
  key         text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
