-- Expunge tombstones are kept for a retention period, then purged. Each
-- mailbox remembers the highest MODSEQ it purged: a QRESYNC client whose
-- MODSEQ is older than that cannot be told exactly what vanished, and is told
-- every UID it may know that no longer exists instead.
ALTER TABLE mailboxes ADD COLUMN expunged_floor_modseq bigint NOT NULL DEFAULT 0;
CREATE INDEX expunged_age ON expunged (expunged_at);
