-- Dispatch: notifications that reach people (every attempt recorded), signed action links, and home-visit
-- tasks offered to responders and tracked until someone is at the door.

-- Per organisation: how long a responder has to arrive, how long an offer waits for an answer, which alarms
-- get a visit task at once, which alarms the family hears about, and the organisation's webhook integration.
CREATE TABLE dispatch_settings (
  org_id                     text PRIMARY KEY REFERENCES organisations(id),
  arrival_deadline_seconds   integer NOT NULL DEFAULT 1800 CHECK (arrival_deadline_seconds > 0),
  offer_timeout_seconds      integer NOT NULL DEFAULT 120 CHECK (offer_timeout_seconds > 0),
  auto_task_alarm_types      text[] NOT NULL DEFAULT ARRAY['sos', 'fall'],
  family_update_alarm_types  text[] NOT NULL DEFAULT ARRAY['sos', 'fall'],
  link_ttl_seconds           integer NOT NULL DEFAULT 43200 CHECK (link_ttl_seconds BETWEEN 60 AND 604800),
  webhook_url                text,
  -- Shared with the receiving integration to sign each call (HMAC-SHA256); never sent or logged.
  webhook_secret             text CHECK (webhook_secret IS NULL OR length(webhook_secret) >= 16),
  updated_at                 timestamptz NOT NULL DEFAULT now()
);

-- How each person wants to be reached. Contacts are named as escalation names them: '<resident>:contact:<n>'.
CREATE TABLE notification_preferences (
  person_kind  text NOT NULL CHECK (person_kind IN ('staff', 'contact')),
  person_id    text NOT NULL,
  channels     text[] CHECK (channels <@ ARRAY['responder_app', 'sms', 'phone', 'email', 'webhook']::text[]),
  quiet_start  time,
  quiet_end    time,
  timezone     text NOT NULL DEFAULT 'Asia/Shanghai',
  locale       text NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en')),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_kind, person_id),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

-- Web push subscriptions of the responder page, per staff member and browser.
CREATE TABLE push_subscriptions (
  endpoint     text PRIMARY KEY,
  staff_id     text NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  p256dh       text NOT NULL,
  auth         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_staff_idx ON push_subscriptions (staff_id);

-- What the task matcher needs to know about a responder: skills, whether they take tasks now, how many they
-- carry at once, and where their phone last said they were.
CREATE TABLE responder_profiles (
  staff_id        text PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
  skills          text[] NOT NULL DEFAULT '{}',
  available       boolean NOT NULL DEFAULT true,
  max_open_tasks  integer NOT NULL DEFAULT 2 CHECK (max_open_tasks > 0),
  lat             double precision CHECK (lat BETWEEN -90 AND 90),
  lon             double precision CHECK (lon BETWEEN -180 AND 180),
  position_at     timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per command received (escalation's commandId, or dispatch's own deterministic id for task offers,
-- family updates and stand-downs): the primary key is what makes a redelivered command notify nobody twice.
CREATE TABLE notification_requests (
  command_id       text PRIMARY KEY,
  alarm_id         uuid NOT NULL,
  org_id           text NOT NULL,
  resident_id      text NOT NULL,
  purpose          text NOT NULL CHECK (purpose IN ('alarm', 'task_offer', 'family_update', 'stand_down')),
  recipient_kind   text NOT NULL,
  recipient_id     text NOT NULL,
  -- Name and contact details as the command carried them: personal data, kept here and never logged.
  recipient        jsonb NOT NULL,
  critical         boolean NOT NULL,
  reason           text,
  -- The composed message (subject, text, link, locale, data), identical on every channel.
  message          jsonb NOT NULL,
  -- Channels still to try, in order, when the ones under way fail or go unconfirmed.
  fallbacks        text[] NOT NULL DEFAULT '{}',
  link_token_id    uuid,
  task_id          uuid,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'closed', 'unreachable', 'exhausted')),
  confirmed_at     timestamptz,
  confirmed_by     text,
  closed_at        timestamptz,
  closed_reason    text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_requests_alarm_idx ON notification_requests (alarm_id, created_at);

-- One row per channel of a request; (command_id, channel) unique so a channel is never used twice for it.
CREATE TABLE deliveries (
  id                   uuid PRIMARY KEY,
  command_id           text NOT NULL REFERENCES notification_requests(command_id),
  channel              text NOT NULL CHECK (channel IN ('responder_app', 'sms', 'phone', 'email', 'webhook')),
  status               text NOT NULL CHECK (status IN ('queued', 'sending', 'retrying', 'sent', 'delivered', 'failed', 'cancelled')),
  attempts             integer NOT NULL DEFAULT 0,
  next_attempt_at      timestamptz,
  -- A worker that claimed the delivery and died leaves it 'sending'; after the lease it is due again.
  lease_until          timestamptz,
  confirm_by           timestamptz,
  -- This delivery already started the next channel (on failure or when unconfirmed): never twice.
  fell_back            boolean NOT NULL DEFAULT false,
  provider_message_id  text,
  last_answer          text,
  queued_at            timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz,
  delivered_at         timestamptz,
  failed_at            timestamptz,
  UNIQUE (command_id, channel)
);
CREATE INDEX deliveries_due_idx ON deliveries (channel, next_attempt_at) WHERE status IN ('queued', 'retrying');
CREATE INDEX deliveries_lease_idx ON deliveries (lease_until) WHERE status = 'sending';
CREATE INDEX deliveries_confirm_idx ON deliveries (confirm_by) WHERE status = 'sent' AND NOT fell_back;

-- Every step of every delivery: queued, each attempt with the provider's answer, receipts, cancellations.
CREATE TABLE delivery_events (
  seq              bigserial PRIMARY KEY,
  delivery_id      uuid NOT NULL REFERENCES deliveries(id),
  at               timestamptz NOT NULL DEFAULT now(),
  event            text NOT NULL,
  attempt          integer,
  provider_answer  text
);
CREATE INDEX delivery_events_delivery_idx ON delivery_events (delivery_id, seq);

-- Signed action links: the signature proves we issued it; this row makes it single-use and revocable.
CREATE TABLE action_links (
  token_id        uuid PRIMARY KEY,
  command_id      text NOT NULL,
  alarm_id        uuid NOT NULL,
  org_id          text NOT NULL,
  recipient_kind  text NOT NULL CHECK (recipient_kind IN ('staff', 'contact')),
  recipient_id    text NOT NULL,
  purpose         text NOT NULL,
  task_id         uuid,
  expires_at      timestamptz NOT NULL,
  redeemed_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_links_alarm_idx ON action_links (alarm_id);

-- Home-visit tasks. The whole domain record is kept as the domain keeps it; the columns are what is queried.
CREATE TABLE visit_tasks (
  task_id           uuid PRIMARY KEY,
  alarm_id          uuid NOT NULL,
  -- 1 for the first visit of an alarm, 2 for a backup sent when the first is overdue, ...
  sequence          integer NOT NULL,
  org_id            text NOT NULL,
  resident_id       text NOT NULL,
  state             text NOT NULL,
  version           integer NOT NULL,
  responder_id      text,
  offer_expires_at  timestamptz,
  arrival_due_at    timestamptz,
  overdue_at        timestamptz,
  task              jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (alarm_id, sequence)
);
CREATE INDEX visit_tasks_offer_idx ON visit_tasks (offer_expires_at) WHERE state = 'offered';
CREATE INDEX visit_tasks_arrival_idx ON visit_tasks (arrival_due_at) WHERE state IN ('accepted', 'en_route') AND overdue_at IS NULL;
CREATE INDEX visit_tasks_responder_idx ON visit_tasks (responder_id) WHERE state IN ('offered', 'accepted', 'en_route', 'arrived');

CREATE TABLE task_events (
  task_id     uuid NOT NULL REFERENCES visit_tasks(task_id),
  version     integer NOT NULL,
  kind        text NOT NULL,
  from_state  text NOT NULL,
  to_state    text NOT NULL,
  by_staff    text,
  at          timestamptz NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (task_id, version)
);

-- Actions dispatch must hand to escalation (a responder's acknowledgement, a task accepted, an arrival, an
-- outcome), written in the same transaction as the change that causes them and delivered until escalation
-- answers, so a restart between the two loses nothing. request_id makes a repeated call harmless.
CREATE TABLE escalation_calls (
  seq          bigserial PRIMARY KEY,
  request_id   text NOT NULL UNIQUE,
  alarm_id     uuid NOT NULL,
  action       jsonb NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  next_try_at  timestamptz NOT NULL DEFAULT now(),
  done_at      timestamptz,
  result       jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX escalation_calls_pending_idx ON escalation_calls (next_try_at) WHERE done_at IS NULL;
