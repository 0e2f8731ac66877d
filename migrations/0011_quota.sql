-- Quota (RFC 9208) in bytes and in messages, at three levels:
--   * a tenant's default for each of its accounts (tenants.default_quota_*),
--   * an account's own limit, which overrides the default (accounts.quota_*:
--     NULL follows the tenant's default, -1 is "no limit" whatever the default),
--   * a tenant-wide total over all its accounts (tenants.total_quota_*).
-- NULL limits are no limits. Usage is counted per account, in the row that
-- every write adding or removing messages locks anyway. The tenant's usage
-- counters (tenants.used_*) are kept only while the tenant has a total:
-- they make the tenant row a lock that all of its writers queue on, which a
-- big tenant should pay only when it asked for a total. They are counted
-- again from the accounts when a total is set where there was none.
--
-- Lock order, which keeps the counters exact under concurrent writers in any
-- number of processes: a write locks its mailbox rows, then its account row
-- (the UPDATE of the counters), then, in a later statement and so with a
-- snapshot taken after that lock, the tenant row when the tenant has a total.
-- Setting a total where there was none locks every account row of the tenant
-- before counting, so no write is counted twice or missed.

-- A negative limit refused everything; 0 does the same, and -1 now means none.
UPDATE accounts SET quota_bytes = 0 WHERE quota_bytes < 0;

ALTER TABLE accounts
  ADD COLUMN quota_messages bigint,
  ADD COLUMN used_messages bigint NOT NULL DEFAULT 0,
  ADD CONSTRAINT accounts_quota_bytes_valid CHECK (quota_bytes >= -1),
  ADD CONSTRAINT accounts_quota_messages_valid CHECK (quota_messages >= -1);

ALTER TABLE tenants
  ADD COLUMN default_quota_bytes bigint CHECK (default_quota_bytes >= 0),
  ADD COLUMN default_quota_messages bigint CHECK (default_quota_messages >= 0),
  ADD COLUMN total_quota_bytes bigint CHECK (total_quota_bytes >= 0),
  ADD COLUMN total_quota_messages bigint CHECK (total_quota_messages >= 0),
  ADD COLUMN used_bytes bigint NOT NULL DEFAULT 0,
  ADD COLUMN used_messages bigint NOT NULL DEFAULT 0;

-- Usage from the mailbox counters (migration 0005), which the triggers keep
-- exact: this also settles any drift of used_bytes.
UPDATE accounts a SET
  used_bytes = coalesce((SELECT sum(b.total_size) FROM mailboxes b WHERE b.account_id = a.account_id), 0),
  used_messages = coalesce((SELECT sum(b.messages) FROM mailboxes b WHERE b.account_id = a.account_id), 0);

-- The limit that applies to an account: its own, else its tenant's default;
-- NULL is none. Inlined into the statements that use it.
CREATE FUNCTION kimap_quota_limit(own bigint, tenant_default bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN own IS NULL THEN tenant_default WHEN own < 0 THEN NULL ELSE own END
$$;

-- Adds bytes and messages to an account's usage (and to its tenant's, when
-- the tenant has a total), or raises KM002 when that would pass a limit.
-- Nothing is changed then; the caller's transaction is to be rolled back.
CREATE FUNCTION kimap_quota_charge(p_account bigint, p_bytes bigint, p_messages bigint) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = auto AS $$
DECLARE
  v_tenant bigint;
  v_within boolean;
BEGIN
  UPDATE accounts a SET used_bytes = a.used_bytes + p_bytes, used_messages = a.used_messages + p_messages
    FROM tenants t
   WHERE a.account_id = p_account AND t.tenant_id = a.tenant_id
     AND (p_bytes <= 0 OR kimap_quota_limit(a.quota_bytes, t.default_quota_bytes) IS NULL
          OR a.used_bytes + p_bytes <= kimap_quota_limit(a.quota_bytes, t.default_quota_bytes))
     AND (p_messages <= 0 OR kimap_quota_limit(a.quota_messages, t.default_quota_messages) IS NULL
          OR a.used_messages + p_messages <= kimap_quota_limit(a.quota_messages, t.default_quota_messages))
  RETURNING a.tenant_id INTO v_tenant;
  IF NOT FOUND THEN
    IF EXISTS (SELECT 1 FROM accounts a JOIN tenants t ON t.tenant_id = a.tenant_id
                WHERE a.account_id = p_account AND p_messages > 0
                  AND a.used_messages + p_messages > kimap_quota_limit(a.quota_messages, t.default_quota_messages)) THEN
      RAISE EXCEPTION 'Quota exceeded (too many messages)' USING ERRCODE = 'KM002';
    END IF;
    RAISE EXCEPTION 'Quota exceeded (mailbox is full)' USING ERRCODE = 'KM002';
  END IF;
  UPDATE tenants t SET used_bytes = t.used_bytes + p_bytes, used_messages = t.used_messages + p_messages
   WHERE t.tenant_id = v_tenant AND (t.total_quota_bytes IS NOT NULL OR t.total_quota_messages IS NOT NULL)
  RETURNING (p_bytes <= 0 OR t.total_quota_bytes IS NULL OR t.used_bytes <= t.total_quota_bytes)
        AND (p_messages <= 0 OR t.total_quota_messages IS NULL OR t.used_messages <= t.total_quota_messages)
  INTO v_within;
  IF NOT v_within THEN
    RAISE EXCEPTION 'Quota exceeded (the domain is full)' USING ERRCODE = 'KM002';
  END IF;
END $$;

-- Gives bytes and messages back (EXPUNGE, DELETE of a mailbox).
CREATE FUNCTION kimap_quota_release(p_account bigint, p_bytes bigint, p_messages bigint) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = auto AS $$
DECLARE
  v_tenant bigint;
BEGIN
  IF p_bytes <= 0 AND p_messages <= 0 THEN
    RETURN;
  END IF;
  UPDATE accounts a SET used_bytes = greatest(a.used_bytes - p_bytes, 0), used_messages = greatest(a.used_messages - p_messages, 0)
   WHERE a.account_id = p_account
  RETURNING a.tenant_id INTO v_tenant;
  UPDATE tenants t SET used_bytes = greatest(t.used_bytes - p_bytes, 0), used_messages = greatest(t.used_messages - p_messages, 0)
   WHERE t.tenant_id = v_tenant AND (t.total_quota_bytes IS NOT NULL OR t.total_quota_messages IS NOT NULL);
END $$;

-- An account removed takes its usage out of its tenant's total.
CREATE FUNCTION kimap_quota_account_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tenants t SET used_bytes = greatest(t.used_bytes - old.used_bytes, 0), used_messages = greatest(t.used_messages - old.used_messages, 0)
   WHERE t.tenant_id = old.tenant_id AND (t.total_quota_bytes IS NOT NULL OR t.total_quota_messages IS NOT NULL);
  RETURN NULL;
END $$;

CREATE TRIGGER accounts_quota_removed AFTER DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION kimap_quota_account_removed();

-- As in 0008, with the quota charged for bytes and messages.
CREATE OR REPLACE FUNCTION kimap_append(
  p_account bigint, p_name text, p_total_size bigint,
  p_hashes bytea[], p_sizes bigint[], p_header_sizes integer[], p_raws bytea[],
  p_envelopes jsonb[], p_structures jsonb[], p_search_headers text[], p_search_bodies text[],
  p_dates timestamptz[], p_flags jsonb[])
RETURNS TABLE (mailbox_id bigint, uidvalidity bigint, first_uid bigint, modseq bigint, event_id bigint)
LANGUAGE plpgsql SET plan_cache_mode = auto AS $$
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
  PERFORM kimap_quota_charge(p_account, p_total_size, n);
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

-- As in 0006, giving back messages as well as bytes.
CREATE OR REPLACE FUNCTION kimap_expunge(
  p_account bigint, p_mailbox bigint, p_lo bigint, p_hi bigint, p_los bigint[], p_his bigint[],
  p_deleted_only boolean, p_keep_quota boolean)
RETURNS TABLE (uids bigint[], highestmodseq bigint, event_id bigint)
LANGUAGE plpgsql SET plan_cache_mode = auto AS $$
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
    PERFORM kimap_quota_release(p_account, v_bytes, cardinality(v_uids));
  END IF;
  RETURN QUERY SELECT v_uids, v_modseq, kimap_record_change(p_account, p_mailbox, v_modseq, 'expunge');
END $$;
