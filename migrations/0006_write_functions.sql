-- The hot writes as functions: APPEND, STORE and EXPUNGE each become one
-- statement on the wire (one round trip, one implicit transaction) instead of
-- BEGIN, four to six statements and COMMIT. Every statement inside a function
-- runs with a fresh snapshot, so reading the messages after locking the
-- mailbox row sees every change committed before the lock was granted.
--
-- Errors carry SQLSTATEs of our own: KM001 no such mailbox, KM002 over quota,
-- KM003 out of UIDs.

-- Flags compare case-insensitively. `wanted` is already free of duplicates.
CREATE FUNCTION kimap_flags_apply(current text[], mode text, wanted text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE mode
    WHEN 'replace' THEN wanted
    WHEN 'remove' THEN ARRAY(SELECT c.f FROM unnest(current) WITH ORDINALITY AS c(f, i)
                              WHERE lower(c.f) <> ALL (SELECT lower(w) FROM unnest(wanted) AS w) ORDER BY c.i)
    ELSE current || ARRAY(SELECT x.w FROM unnest(wanted) WITH ORDINALITY AS x(w, i)
                           WHERE lower(x.w) <> ALL (SELECT lower(f) FROM unnest(current) AS f) ORDER BY x.i)
  END
$$;

CREATE FUNCTION kimap_flags_same(a text[], b text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT cardinality(a) = cardinality(b)
     AND NOT EXISTS (SELECT 1 FROM unnest(b) AS x WHERE lower(x) <> ALL (SELECT lower(y) FROM unnest(a) AS y))
$$;

-- The outbox row of a change; returns its event_id.
CREATE FUNCTION kimap_record_change(p_account bigint, p_mailbox bigint, p_modseq bigint, p_kind text) RETURNS bigint
LANGUAGE sql AS $$
  INSERT INTO outbox (account_id, payload)
  VALUES (p_account, jsonb_build_object('accountId', p_account, 'mailboxId', p_mailbox, 'modseq', p_modseq, 'kind', p_kind))
  RETURNING event_id
$$;

-- Locks a mailbox row for a change and returns its highest MODSEQ. Writers to
-- a mailbox queue here, whatever process they run in.
CREATE FUNCTION kimap_lock_mailbox(p_account bigint, p_mailbox bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_modseq bigint;
BEGIN
  SELECT b.highestmodseq INTO v_modseq FROM mailboxes b
   WHERE b.account_id = p_account AND b.mailbox_id = p_mailbox FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Mailbox no longer exists' USING ERRCODE = 'KM001';
  END IF;
  RETURN v_modseq;
END $$;

-- APPEND / MULTIAPPEND into a mailbox by name: one UID each, one MODSEQ for
-- all, one quota check, bodies deduplicated per account. Arrays are parallel,
-- one element per message; p_flags holds a JSON array of flags per message.
CREATE FUNCTION kimap_append(
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
  INSERT INTO messages (account_id, mailbox_id, uid, modseq, body_hash, size, internal_date, flags)
  SELECT p_account, v_mailbox, v_first + x.i - 1, v_modseq, x.h, x.s, x.d, ARRAY(SELECT jsonb_array_elements_text(x.f))
    FROM unnest(p_hashes, p_sizes, p_dates, p_flags) WITH ORDINALITY AS x(h, s, d, f, i);
  RETURN QUERY SELECT v_mailbox, v_validity, v_first, v_modseq, kimap_record_change(p_account, v_mailbox, v_modseq, 'append');
END $$;

-- STORE: applies a flag change to the messages in [p_lo, p_hi] (and, when
-- p_los is not NULL, in one of the ranges p_los[i]..p_his[i]) under one new
-- MODSEQ, skipping messages modified after p_unchanged_since (when not 0).
-- Returns every message of the ranges with its flags and MODSEQ after the
-- change, `modified` for the ones UNCHANGEDSINCE refused, and the outbox
-- row's event_id (NULL when nothing changed) on every row.
CREATE FUNCTION kimap_store(
  p_account bigint, p_mailbox bigint, p_lo bigint, p_hi bigint, p_los bigint[], p_his bigint[],
  p_mode text, p_flags text[], p_unchanged_since bigint)
RETURNS TABLE (uid bigint, modseq bigint, flags text[], modified boolean, event_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_modseq bigint;
  v_event bigint;
BEGIN
  v_modseq := kimap_lock_mailbox(p_account, p_mailbox) + 1;
  UPDATE messages m SET flags = kimap_flags_apply(m.flags, p_mode, p_flags), modseq = v_modseq
   WHERE m.account_id = p_account AND m.mailbox_id = p_mailbox AND m.uid BETWEEN p_lo AND p_hi
     AND (p_los IS NULL OR EXISTS (SELECT 1 FROM unnest(p_los, p_his) AS r(lo, hi) WHERE m.uid BETWEEN r.lo AND r.hi))
     AND (p_unchanged_since = 0 OR m.modseq <= p_unchanged_since)
     AND NOT kimap_flags_same(m.flags, kimap_flags_apply(m.flags, p_mode, p_flags));
  IF FOUND THEN
    UPDATE mailboxes b SET highestmodseq = v_modseq WHERE b.account_id = p_account AND b.mailbox_id = p_mailbox;
    v_event := kimap_record_change(p_account, p_mailbox, v_modseq, 'flags');
  END IF;
  RETURN QUERY
  SELECT m.uid, m.modseq, m.flags, p_unchanged_since <> 0 AND m.modseq > p_unchanged_since AND m.modseq <> v_modseq, v_event
    FROM messages m
   WHERE m.account_id = p_account AND m.mailbox_id = p_mailbox AND m.uid BETWEEN p_lo AND p_hi
     AND (p_los IS NULL OR EXISTS (SELECT 1 FROM unnest(p_los, p_his) AS r(lo, hi) WHERE m.uid BETWEEN r.lo AND r.hi))
   ORDER BY m.uid;
END $$;

-- EXPUNGE (and the removal half of MOVE): deletes the messages of the ranges
-- (only the \Deleted ones when p_deleted_only) under one new MODSEQ, keeps a
-- tombstone of each for QRESYNC, and gives their bytes back to the quota
-- unless p_keep_quota. Returns the removed UIDs in ascending order, the
-- mailbox's highest MODSEQ after it, and the outbox row (NULL: nothing removed).
CREATE FUNCTION kimap_expunge(
  p_account bigint, p_mailbox bigint, p_lo bigint, p_hi bigint, p_los bigint[], p_his bigint[],
  p_deleted_only boolean, p_keep_quota boolean)
RETURNS TABLE (uids bigint[], highestmodseq bigint, event_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_modseq bigint;
  v_uids bigint[];
  v_bytes bigint;
BEGIN
  v_modseq := kimap_lock_mailbox(p_account, p_mailbox) + 1;
  WITH gone AS (
    DELETE FROM messages m
     WHERE m.account_id = p_account AND m.mailbox_id = p_mailbox AND m.uid BETWEEN p_lo AND p_hi
       AND (p_los IS NULL OR EXISTS (SELECT 1 FROM unnest(p_los, p_his) AS r(lo, hi) WHERE m.uid BETWEEN r.lo AND r.hi))
       AND (NOT p_deleted_only OR '\Deleted' = ANY (m.flags))
    RETURNING m.uid, m.size)
  SELECT array_agg(g.uid ORDER BY g.uid), sum(g.size) INTO v_uids, v_bytes FROM gone g;
  IF v_uids IS NULL THEN
    RETURN QUERY SELECT '{}'::bigint[], v_modseq - 1, NULL::bigint;
    RETURN;
  END IF;
  INSERT INTO expunged (account_id, mailbox_id, uid, modseq)
  SELECT p_account, p_mailbox, u, v_modseq FROM unnest(v_uids) AS u
  ON CONFLICT (account_id, mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq;
  UPDATE mailboxes b SET highestmodseq = v_modseq WHERE b.account_id = p_account AND b.mailbox_id = p_mailbox;
  IF NOT p_keep_quota THEN
    UPDATE accounts a SET used_bytes = greatest(a.used_bytes - v_bytes, 0) WHERE a.account_id = p_account;
  END IF;
  RETURN QUERY SELECT v_uids, v_modseq, kimap_record_change(p_account, p_mailbox, v_modseq, 'expunge');
END $$;
