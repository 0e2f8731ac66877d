-- Subscriptions are names, not mailboxes: a subscription outlives the mailbox
-- it names (RFC 9051 6.3.7), so they live in a table of their own.
CREATE TABLE subscriptions (
  account_id  bigint NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
  name        text NOT NULL,
  PRIMARY KEY (account_id, name)
);

INSERT INTO subscriptions (account_id, name)
SELECT account_id, name FROM mailboxes WHERE subscribed;

ALTER TABLE mailboxes DROP COLUMN subscribed;
