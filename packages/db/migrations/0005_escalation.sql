-- Escalation: each alarm's lifecycle, the durable timers that drive escalation, and the audit trail.

CREATE TABLE alarm_lifecycles (
  alarm_id          uuid PRIMARY KEY,
  org_id            text NOT NULL,
  resident_id       text NOT NULL,
  alarm_type        text NOT NULL,
  state             text NOT NULL,
  version           integer NOT NULL,
  escalation_level  integer NOT NULL DEFAULT 0,
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
