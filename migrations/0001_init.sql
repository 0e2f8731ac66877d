-- The storage model. account_id leads every primary key and index of
-- per-account data, so the schema can later be distributed by account.

CREATE TABLE tenants (
  tenant_id   bigserial PRIMARY KEY,
  domain      text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
  account_id     bigserial PRIMARY KEY,
  tenant_id      bigint NOT NULL REFERENCES tenants (tenant_id),
  username       text NOT NULL UNIQUE,          -- full address, lower case
  password_hash  text NOT NULL,                 -- argon2id PHC string
  quota_bytes    bigint,                        -- NULL: unlimited
  used_bytes     bigint NOT NULL DEFAULT 0,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_tenant ON accounts (tenant_id);

CREATE SEQUENCE mailbox_id_seq;

CREATE TABLE mailboxes (
  account_id     bigint NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
  mailbox_id     bigint NOT NULL DEFAULT nextval('mailbox_id_seq'),
  name           text NOT NULL,                 -- UTF-8, "/" delimited
  special_use    text,
  subscribed     boolean NOT NULL DEFAULT true,
  uidvalidity    bigint NOT NULL,
  uidnext        bigint NOT NULL DEFAULT 1,
  highestmodseq  bigint NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, mailbox_id),
  UNIQUE (account_id, name),
  CHECK (uidnext BETWEEN 1 AND 4294967296),
  CHECK (uidvalidity BETWEEN 1 AND 4294967295)
);

-- Message bodies, stored once per account by content hash (SHA-256) however
-- many mailboxes hold the message. The parsed metadata is computed once.
CREATE TABLE message_bodies (
  account_id   bigint NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
  body_hash    bytea NOT NULL,
  size         bigint NOT NULL,
  header_size  integer NOT NULL,
  raw          bytea NOT NULL,
  envelope     jsonb,
  body_structure jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, body_hash)
);

CREATE TABLE messages (
  account_id     bigint NOT NULL,
  mailbox_id     bigint NOT NULL,
  uid            bigint NOT NULL,
  modseq         bigint NOT NULL,
  body_hash      bytea NOT NULL,
  size           bigint NOT NULL,
  internal_date  timestamptz NOT NULL,
  flags          text[] NOT NULL DEFAULT '{}',  -- system flags and keywords
  PRIMARY KEY (account_id, mailbox_id, uid),
  FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, mailbox_id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, body_hash) REFERENCES message_bodies (account_id, body_hash)
);
CREATE INDEX messages_modseq ON messages (account_id, mailbox_id, modseq);
CREATE INDEX messages_body ON messages (account_id, body_hash);

-- Expunged UIDs with the MODSEQ of their expunge, for QRESYNC VANISHED.
CREATE TABLE expunged (
  account_id  bigint NOT NULL,
  mailbox_id  bigint NOT NULL,
  uid         bigint NOT NULL,
  modseq      bigint NOT NULL,
  expunged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, mailbox_id, uid),
  FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, mailbox_id) ON DELETE CASCADE
);
CREATE INDEX expunged_modseq ON expunged (account_id, mailbox_id, modseq);

-- Transactional outbox: one row per change, written in the transaction of the
-- change, relayed to Kafka at least once and then marked sent.
CREATE TABLE outbox (
  account_id  bigint NOT NULL,
  event_id    bigserial NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  PRIMARY KEY (account_id, event_id)
);
CREATE INDEX outbox_unsent ON outbox (event_id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
