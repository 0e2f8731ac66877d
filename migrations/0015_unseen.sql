-- The UNSEEN response code of an IMAP4rev1 SELECT (RFC 3501 7.1) names the
-- first message without \Seen. The mailbox row counts the unseen messages
-- but does not say where the first one is; this index holds only the unseen
-- messages, in UID order, so finding it reads one index entry however many
-- seen messages come before it. Messages leave the index when they are read.
CREATE INDEX messages_unseen ON messages (account_id, mailbox_id, uid) WHERE NOT ('\Seen' = ANY (flags));
