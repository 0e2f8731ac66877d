-- Login security (docs/hosting/login-security.md): failed logins by client
-- address and by account, shared by every pod, and the IMAP sessions of each
-- account on live edges, for the connection limits.
--
-- An address is an IPv4 address or an IPv6 /64 (see services/mailbox/src/login-throttle.ts).
-- A failure row counts the failures since the count last started; it stops
-- counting (and is deleted by the janitor) LOGIN_THROTTLE_WINDOW_MS after its
-- last failure.

-- Failures from an address, whatever the username (unknown ones included).
CREATE TABLE login_failures_by_address (
  address       text PRIMARY KEY,
  failures      integer NOT NULL,
  last_failure  timestamptz NOT NULL
);

-- Failures of an account, from every address together.
CREATE TABLE login_failures_by_account (
  account_id    bigint PRIMARY KEY REFERENCES accounts (account_id) ON DELETE CASCADE,
  failures      integer NOT NULL,
  last_failure  timestamptz NOT NULL
);

-- Failures of an account from one address: the account's penalty holds only
-- against the addresses that have failed for it.
CREATE TABLE login_failures_by_account_address (
  account_id    bigint NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
  address       text NOT NULL,
  failures      integer NOT NULL,
  last_failure  timestamptz NOT NULL,
  PRIMARY KEY (account_id, address)
);

-- Edge processes that hold sessions; an edge's sessions count while it
-- renews expires_at (its heartbeat), and go with its row.
CREATE TABLE imap_edges (
  edge_id     text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);

CREATE TABLE imap_sessions (
  account_id  bigint NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
  edge_id     text NOT NULL REFERENCES imap_edges (edge_id) ON DELETE CASCADE,
  session_id  text NOT NULL,
  address     text NOT NULL,
  opened_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, edge_id, session_id)
);
CREATE INDEX imap_sessions_edge ON imap_sessions (edge_id);

-- Registers a session unless the account has p_max_account sessions on live
-- edges, or p_max_address from p_address (0: no limit). Returns 'ok', or the
-- limit that refused it: 'account' or 'address'. Openings of one account are
-- serialised, so that two edges cannot both take the last place.
CREATE FUNCTION kimap_open_session(
  p_account bigint, p_edge text, p_session text, p_address text,
  p_max_account integer, p_max_address integer, p_edge_ttl_ms bigint
) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  n_account integer;
  n_address integer;
BEGIN
  INSERT INTO imap_edges (edge_id, expires_at)
  VALUES (p_edge, now() + p_edge_ttl_ms * interval '1 millisecond')
  ON CONFLICT (edge_id) DO UPDATE SET expires_at = greatest(imap_edges.expires_at, EXCLUDED.expires_at);
  PERFORM pg_advisory_xact_lock(7283453, (p_account % 2147483647)::integer);
  SELECT count(*), count(*) FILTER (WHERE s.address = p_address)
    INTO n_account, n_address
    FROM imap_sessions s JOIN imap_edges e ON e.edge_id = s.edge_id
   WHERE s.account_id = p_account AND e.expires_at > now();
  IF p_max_account > 0 AND n_account >= p_max_account THEN
    RETURN 'account';
  END IF;
  IF p_max_address > 0 AND n_address >= p_max_address THEN
    RETURN 'address';
  END IF;
  INSERT INTO imap_sessions (account_id, edge_id, session_id, address)
  VALUES (p_account, p_edge, p_session, p_address)
  ON CONFLICT DO NOTHING;
  RETURN 'ok';
END
$$;
