-- \Recent (IMAP4rev1, RFC 3501 2.3.2): a message is recent in the first
-- read-write session that learns of it, and in no other. The mailbox row
-- keeps the lowest UID that no such session has claimed yet; a session
-- claims every UID from there up to UIDNEXT under the row's lock, so two
-- sessions, on one edge or on two, never both get the same message.
-- Read-only sessions (EXAMINE) see the unclaimed ones as recent without
-- claiming them.
ALTER TABLE mailboxes ADD COLUMN first_recent_uid bigint NOT NULL DEFAULT 1;

-- The mail already stored was shown by earlier sessions: none of it is recent.
UPDATE mailboxes SET first_recent_uid = uidnext;

-- Claims the unclaimed UIDs of a mailbox: returns {first, next} (the claim
-- is first .. next - 1), or NULL when every UID was claimed already. The
-- row is read locked, with a fresh snapshot: a concurrent claim either
-- committed before (and left nothing, or only what arrived since) or waits
-- for this one.
CREATE FUNCTION kimap_claim_recent(p_account bigint, p_mailbox bigint) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
  v_first bigint;
  v_next bigint;
BEGIN
  SELECT b.first_recent_uid, b.uidnext INTO v_first, v_next FROM mailboxes b
   WHERE b.account_id = p_account AND b.mailbox_id = p_mailbox AND b.first_recent_uid < b.uidnext
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE mailboxes b SET first_recent_uid = v_next WHERE b.account_id = p_account AND b.mailbox_id = p_mailbox;
  RETURN ARRAY[v_first, v_next];
END $$;

ALTER FUNCTION kimap_claim_recent(bigint, bigint) SET plan_cache_mode = auto;
