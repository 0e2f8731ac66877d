-- Shared mailboxes: access control lists (RFC 4314). The owner of a mailbox
-- always has every right and needs no row; a row grants rights to another
-- account of the owner's tenant, or (grantee_id NULL) to anyone of it.
--
-- Both accounts are referenced together with the tenant: a grant can never
-- cross tenants, whatever the code that writes it.
CREATE UNIQUE INDEX accounts_tenant_key ON accounts (account_id, tenant_id);

CREATE TABLE acl (
  account_id  bigint NOT NULL,               -- the owner
  mailbox_id  bigint NOT NULL,
  tenant_id   bigint NOT NULL,               -- the owner's (and the grantee's) tenant
  grantee_id  bigint,                        -- NULL: anyone of the tenant
  rights      text NOT NULL,                 -- RFC 4314 letters, in the order of ACL_RIGHTS
  FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, mailbox_id) ON DELETE CASCADE,
  FOREIGN KEY (account_id, tenant_id) REFERENCES accounts (account_id, tenant_id) ON DELETE CASCADE,
  FOREIGN KEY (grantee_id, tenant_id) REFERENCES accounts (account_id, tenant_id) ON DELETE CASCADE,
  CHECK (rights ~ '^[lrswipkxtea]+$'),
  CHECK (grantee_id IS DISTINCT FROM account_id)
);
CREATE UNIQUE INDEX acl_entry ON acl (account_id, mailbox_id, coalesce(grantee_id, 0));
-- The mailboxes shared with an account (its own grants and its tenant's
-- "anyone" grants), for LIST: the one index not led by the owner's account.
CREATE INDEX acl_grantee ON acl (tenant_id, grantee_id);

-- \Seen is kept per user on a shared mailbox: the message's own \Seen is the
-- owner's, and each grantee has its own in this table (a row: seen). The
-- other flags are the mailbox's, for everyone. Rows of expunged messages are
-- swept by the housekeeping (UIDs are never reused in a mailbox).
CREATE TABLE seen_by (
  account_id  bigint NOT NULL,               -- the owner
  mailbox_id  bigint NOT NULL,
  reader_id   bigint NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
  uid         bigint NOT NULL,
  PRIMARY KEY (account_id, mailbox_id, reader_id, uid),
  FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, mailbox_id) ON DELETE CASCADE
);

-- Whether `f` is a flag a grantee with `p_rights` may change on the mailbox:
-- \Deleted needs t, every other flag but \Seen (its own, see seen_by) needs w.
CREATE FUNCTION kimap_shared_flag_writable(f text, p_rights text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF f = '\Seen' THEN
    RETURN false;
  END IF;
  IF f = '\Deleted' THEN
    RETURN strpos(p_rights, 't') > 0;
  END IF;
  RETURN strpos(p_rights, 'w') > 0;
END $$;

-- STORE by a grantee (RFC 4314 4): like kimap_store, but \Seen is the
-- reader's own (seen_by, with the s right) and the other flags change only
-- where its rights allow (t for \Deleted, w for the rest); the others are
-- left as they are. A message whose flags or reader's \Seen change gets the
-- new MODSEQ, which every session of the mailbox sees: the reader's other
-- sessions learn of its \Seen as of any change (CONDSTORE), the others get
-- an update of flags that look the same to them. Returns the flags as the
-- reader sees them.
CREATE FUNCTION kimap_store_shared(
  p_account bigint, p_mailbox bigint, p_reader bigint, p_lo bigint, p_hi bigint, p_los bigint[], p_his bigint[],
  p_mode text, p_flags text[], p_unchanged_since bigint, p_rights text)
RETURNS TABLE (uid bigint, modseq bigint, flags text[], modified boolean, event_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_modseq bigint;
  v_event bigint;
  v_changed integer;
  v_seen boolean := '\Seen' = ANY (p_flags);
  v_may_seen boolean := strpos(p_rights, 's') > 0;
  v_wanted text[] := ARRAY(SELECT f FROM unnest(p_flags) AS f WHERE kimap_shared_flag_writable(f, p_rights));
BEGIN
  v_modseq := kimap_lock_mailbox(p_account, p_mailbox) + 1;
  WITH cur AS (
    SELECT m.uid, m.modseq, m.flags,
           EXISTS (SELECT 1 FROM seen_by s WHERE s.account_id = p_account AND s.mailbox_id = p_mailbox
                      AND s.reader_id = p_reader AND s.uid = m.uid) AS seen
      FROM messages m
     WHERE m.account_id = p_account AND m.mailbox_id = p_mailbox AND m.uid BETWEEN p_lo AND p_hi
       AND (p_los IS NULL OR EXISTS (SELECT 1 FROM unnest(p_los, p_his) AS r(lo, hi) WHERE m.uid BETWEEN r.lo AND r.hi))
       AND (p_unchanged_since = 0 OR m.modseq <= p_unchanged_since)
  ), next AS (
    SELECT c.uid, c.flags, c.seen,
           CASE WHEN p_mode = 'replace'
                THEN kimap_flags_apply(ARRAY(SELECT f FROM unnest(c.flags) AS f WHERE NOT kimap_shared_flag_writable(f, p_rights)), 'add', v_wanted)
                ELSE kimap_flags_apply(c.flags, p_mode, v_wanted) END AS new_flags,
           CASE WHEN NOT v_may_seen THEN c.seen
                WHEN p_mode = 'add' THEN c.seen OR v_seen
                WHEN p_mode = 'remove' THEN c.seen AND NOT v_seen
                ELSE v_seen END AS new_seen
      FROM cur c
  ), changed AS (
    SELECT * FROM next n WHERE n.seen <> n.new_seen OR NOT kimap_flags_same(n.flags, n.new_flags)
  ), updated AS (
    UPDATE messages m SET flags = c.new_flags, modseq = v_modseq FROM changed c
     WHERE m.account_id = p_account AND m.mailbox_id = p_mailbox AND m.uid = c.uid
    RETURNING m.uid
  ), seen AS (
    INSERT INTO seen_by (account_id, mailbox_id, reader_id, uid)
    SELECT p_account, p_mailbox, p_reader, c.uid FROM changed c WHERE c.new_seen AND NOT c.seen
    ON CONFLICT DO NOTHING
  ), unseen AS (
    DELETE FROM seen_by s USING changed c
     WHERE s.account_id = p_account AND s.mailbox_id = p_mailbox AND s.reader_id = p_reader AND s.uid = c.uid
       AND c.seen AND NOT c.new_seen
  )
  SELECT count(*) INTO v_changed FROM updated;
  IF v_changed > 0 THEN
    UPDATE mailboxes b SET highestmodseq = v_modseq WHERE b.account_id = p_account AND b.mailbox_id = p_mailbox;
    v_event := kimap_record_change(p_account, p_mailbox, v_modseq, 'flags');
  END IF;
  RETURN QUERY
  SELECT m.uid, m.modseq,
         array_remove(m.flags, '\Seen') || CASE WHEN EXISTS (SELECT 1 FROM seen_by s WHERE s.account_id = p_account AND s.mailbox_id = p_mailbox
                                                                AND s.reader_id = p_reader AND s.uid = m.uid)
                                                THEN ARRAY['\Seen'] ELSE '{}'::text[] END,
         p_unchanged_since <> 0 AND m.modseq > p_unchanged_since AND m.modseq <> v_modseq, v_event
    FROM messages m
   WHERE m.account_id = p_account AND m.mailbox_id = p_mailbox AND m.uid BETWEEN p_lo AND p_hi
     AND (p_los IS NULL OR EXISTS (SELECT 1 FROM unnest(p_los, p_his) AS r(lo, hi) WHERE m.uid BETWEEN r.lo AND r.hi))
   ORDER BY m.uid;
END $$;
