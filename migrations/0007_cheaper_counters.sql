-- The update trigger of migration 0005 ran three statements per STORE (the
-- counters of the old rows, of the new rows, then the keywords), the insert
-- trigger two per APPEND: most of the cost of a one-message change. One
-- statement each does it all.
CREATE OR REPLACE FUNCTION messages_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mailboxes b
     SET messages = b.messages + d.n, unseen = b.unseen + d.unseen, deleted = b.deleted + d.deleted,
         total_size = b.total_size + d.size,
         keywords = CASE WHEN d.kw IS NULL OR b.keywords @> d.kw THEN b.keywords
                         ELSE (SELECT array_agg(DISTINCT k ORDER BY k) FROM unnest(b.keywords || d.kw) AS k) END
    FROM (SELECT account_id, mailbox_id, count(*) AS n,
                 count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))) AS unseen,
                 count(*) FILTER (WHERE '\Deleted' = ANY (flags)) AS deleted,
                 sum(size) AS size,
                 (SELECT array_agg(DISTINCT k) FROM new_rows r, unnest(r.flags) AS k
                   WHERE r.account_id = g.account_id AND r.mailbox_id = g.mailbox_id AND left(k, 1) <> '\') AS kw
            FROM new_rows g GROUP BY account_id, mailbox_id) d
   WHERE b.account_id = d.account_id AND b.mailbox_id = d.mailbox_id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION messages_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT x.account_id, x.mailbox_id,
           sum(x.sign) AS n,
           sum(x.sign * (NOT ('\Seen' = ANY (x.flags)))::int) AS unseen,
           sum(x.sign * ('\Deleted' = ANY (x.flags))::int) AS deleted,
           sum(x.sign * x.size) AS size
      FROM (SELECT account_id, mailbox_id, flags, size, -1 AS sign FROM old_rows
            UNION ALL
            SELECT account_id, mailbox_id, flags, size, 1 FROM new_rows) x
     GROUP BY x.account_id, x.mailbox_id
  ), kw AS (
    SELECT n.account_id, n.mailbox_id, array_agg(DISTINCT k) AS kw
      FROM new_rows n, unnest(n.flags) AS k
     WHERE left(k, 1) <> '\'
     GROUP BY n.account_id, n.mailbox_id
  )
  UPDATE mailboxes b
     SET messages = b.messages + d.n, unseen = b.unseen + d.unseen, deleted = b.deleted + d.deleted,
         total_size = b.total_size + d.size,
         keywords = CASE WHEN kw.kw IS NULL OR b.keywords @> kw.kw THEN b.keywords
                         ELSE (SELECT array_agg(DISTINCT k ORDER BY k) FROM unnest(b.keywords || kw.kw) AS k) END
    FROM d LEFT JOIN kw ON kw.account_id = d.account_id AND kw.mailbox_id = d.mailbox_id
   WHERE b.account_id = d.account_id AND b.mailbox_id = d.mailbox_id
     AND (d.n <> 0 OR d.unseen <> 0 OR d.deleted <> 0 OR d.size <> 0 OR NOT (b.keywords @> coalesce(kw.kw, '{}')));
  RETURN NULL;
END $$;

-- Message text is compressed with lz4 where the server has it (faster than
-- the default pglz at about the same ratio for mail); elsewhere it stays pglz.
DO $$
BEGIN
  ALTER TABLE message_bodies ALTER COLUMN raw SET COMPRESSION lz4, ALTER COLUMN search_body SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  NULL;
END $$;
