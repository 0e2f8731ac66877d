-- The header fields that clients search most (From, To, Cc, Bcc, Subject),
-- decoded and folded as in message_bodies.search_header, kept on the message
-- row. SEARCH FROM over a 100,000-message mailbox then reads the messages
-- alone instead of looking up each message's body (about 4 µs a message,
-- most of such a search). NULL: not known (the search looks at the body);
-- '' : the message has none of these fields.
ALTER TABLE messages ADD COLUMN search_fields text;

CREATE FUNCTION kimap_search_fields(header text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN header IS NULL THEN NULL ELSE coalesce(
    (SELECT string_agg(line, E'\n') FROM regexp_split_to_table(header, E'\n') AS l(line)
      WHERE rtrim(split_part(line, ':', 1), E' \t') IN ('from', 'to', 'cc', 'bcc', 'subject')), '') END
$$;

-- As in 0006, and the messages get their search fields from the text
-- computed for their bodies.
CREATE OR REPLACE FUNCTION kimap_append(
  p_account bigint, p_name text, p_total_size bigint,
  p_hashes bytea[], p_sizes bigint[], p_header_sizes integer[], p_raws bytea[],
  p_envelopes jsonb[], p_structures jsonb[], p_search_headers text[], p_search_bodies text[],
  p_dates timestamptz[], p_flags jsonb[])
RETURNS TABLE (mailbox_id bigint, uidvalidity bigint, first_uid bigint, modseq bigint, event_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  n integer := cardinality(p_hashes);
  v_mailbox bigint;
  v_validity bigint;
  v_first bigint;
  v_modseq bigint;
BEGIN
  UPDATE mailboxes b SET uidnext = b.uidnext + n, highestmodseq = b.highestmodseq + 1
   WHERE b.account_id = p_account AND b.name = p_name AND b.uidnext + n <= 4294967296
  RETURNING b.mailbox_id, b.uidvalidity, b.uidnext - n, b.highestmodseq INTO v_mailbox, v_validity, v_first, v_modseq;
  IF NOT FOUND THEN
    IF EXISTS (SELECT 1 FROM mailboxes b WHERE b.account_id = p_account AND b.name = p_name) THEN
      RAISE EXCEPTION 'The mailbox has run out of UIDs' USING ERRCODE = 'KM003';
    END IF;
    RAISE EXCEPTION 'Mailbox does not exist: %', p_name USING ERRCODE = 'KM001';
  END IF;
  UPDATE accounts a SET used_bytes = a.used_bytes + p_total_size
   WHERE a.account_id = p_account AND (a.quota_bytes IS NULL OR a.used_bytes + p_total_size <= a.quota_bytes);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Quota exceeded' USING ERRCODE = 'KM002';
  END IF;
  INSERT INTO message_bodies (account_id, body_hash, size, header_size, raw, envelope, body_structure, search_header, search_body)
  SELECT p_account, x.h, x.s, x.hs, x.r, x.e, x.st, x.sh, x.sb
    FROM unnest(p_hashes, p_sizes, p_header_sizes, p_raws, p_envelopes, p_structures, p_search_headers, p_search_bodies)
         AS x(h, s, hs, r, e, st, sh, sb)
  ON CONFLICT (account_id, body_hash) DO NOTHING;
  INSERT INTO messages (account_id, mailbox_id, uid, modseq, body_hash, size, internal_date, flags, search_fields)
  SELECT p_account, v_mailbox, v_first + x.i - 1, v_modseq, x.h, x.s, x.d, ARRAY(SELECT jsonb_array_elements_text(x.f)), kimap_search_fields(x.sh)
    FROM unnest(p_hashes, p_sizes, p_dates, p_flags, p_search_headers) WITH ORDINALITY AS x(h, s, d, f, sh, i);
  RETURN QUERY SELECT v_mailbox, v_validity, v_first, v_modseq, kimap_record_change(p_account, v_mailbox, v_modseq, 'append');
END $$;

UPDATE messages m SET search_fields = kimap_search_fields(b.search_header)
  FROM message_bodies b
 WHERE b.account_id = m.account_id AND b.body_hash = m.body_hash AND b.search_header IS NOT NULL;
