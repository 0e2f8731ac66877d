-- Message counts, sizes and the keywords in use, kept in the mailbox row by
-- statement triggers (one update per statement, whatever the number of
-- rows), so SELECT and STATUS do not scan the mailbox. Keywords are never
-- forgotten, as in Dovecot.
ALTER TABLE mailboxes ADD COLUMN messages bigint NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN unseen bigint NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN deleted bigint NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN total_size bigint NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN keywords text[] NOT NULL DEFAULT '{}';

UPDATE mailboxes b SET
  messages = c.messages, unseen = c.unseen, deleted = c.deleted, total_size = c.size,
  keywords = coalesce((SELECT array_agg(DISTINCT k ORDER BY k) FROM messages m, unnest(m.flags) AS k
                        WHERE m.account_id = b.account_id AND m.mailbox_id = b.mailbox_id AND left(k, 1) <> '\'), '{}')
FROM (SELECT account_id, mailbox_id, count(*) AS messages,
             count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))) AS unseen,
             count(*) FILTER (WHERE '\Deleted' = ANY (flags)) AS deleted,
             coalesce(sum(size), 0) AS size
        FROM messages GROUP BY account_id, mailbox_id) c
WHERE b.account_id = c.account_id AND b.mailbox_id = c.mailbox_id;

CREATE FUNCTION mailbox_counters_apply(sign integer, changed_account bigint, changed_mailbox bigint, n bigint, unseen_n bigint, deleted_n bigint, size_n bigint) RETURNS void
LANGUAGE sql AS $$
  UPDATE mailboxes SET messages = messages + sign * n, unseen = unseen + sign * unseen_n,
                       deleted = deleted + sign * deleted_n, total_size = total_size + sign * size_n
   WHERE account_id = changed_account AND mailbox_id = changed_mailbox;
$$;

CREATE FUNCTION messages_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mailbox_counters_apply(1, account_id, mailbox_id, count(*), count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))),
                                 count(*) FILTER (WHERE '\Deleted' = ANY (flags)), coalesce(sum(size), 0)::bigint)
     FROM new_rows GROUP BY account_id, mailbox_id;
  UPDATE mailboxes b SET keywords = (SELECT array_agg(DISTINCT k ORDER BY k) FROM unnest(b.keywords || n.kw) AS k)
    FROM (SELECT account_id, mailbox_id, array_agg(k) AS kw FROM new_rows, unnest(flags) AS k
           WHERE left(k, 1) <> '\' GROUP BY account_id, mailbox_id) n
   WHERE b.account_id = n.account_id AND b.mailbox_id = n.mailbox_id AND NOT (b.keywords @> n.kw);
  RETURN NULL;
END $$;

CREATE FUNCTION messages_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mailbox_counters_apply(-1, account_id, mailbox_id, count(*), count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))),
                                 count(*) FILTER (WHERE '\Deleted' = ANY (flags)), coalesce(sum(size), 0)::bigint)
     FROM old_rows GROUP BY account_id, mailbox_id;
  RETURN NULL;
END $$;

CREATE FUNCTION messages_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mailbox_counters_apply(-1, account_id, mailbox_id, count(*), count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))),
                                 count(*) FILTER (WHERE '\Deleted' = ANY (flags)), coalesce(sum(size), 0)::bigint)
     FROM old_rows GROUP BY account_id, mailbox_id;
  PERFORM mailbox_counters_apply(1, account_id, mailbox_id, count(*), count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))),
                                 count(*) FILTER (WHERE '\Deleted' = ANY (flags)), coalesce(sum(size), 0)::bigint)
     FROM new_rows GROUP BY account_id, mailbox_id;
  UPDATE mailboxes b SET keywords = (SELECT array_agg(DISTINCT k ORDER BY k) FROM unnest(b.keywords || n.kw) AS k)
    FROM (SELECT account_id, mailbox_id, array_agg(k) AS kw FROM new_rows, unnest(flags) AS k
           WHERE left(k, 1) <> '\' GROUP BY account_id, mailbox_id) n
   WHERE b.account_id = n.account_id AND b.mailbox_id = n.mailbox_id AND NOT (b.keywords @> n.kw);
  RETURN NULL;
END $$;

CREATE TRIGGER messages_counted_insert AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_counted_insert();
CREATE TRIGGER messages_counted_delete AFTER DELETE ON messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_counted_delete();
CREATE TRIGGER messages_counted_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION messages_counted_update();
