// The IMAP sessions of each account on live edges (migration 0012), for the
// connection limits across the cluster. An edge renews its row with a
// heartbeat; when it stops (a crash, a partition), its sessions stop counting
// at its expiry and the janitor deletes them with the row.
import type { Queryable } from '@kimap/common';

export interface SessionOpening {
  accountId: number;
  edgeId: string;
  sessionId: string;
  address: string;
  /** 0: no limit. */
  maxPerAccount: number;
  /** 0: no limit. */
  maxPerAddress: number;
  /** How long the edge counts as alive without another heartbeat. */
  edgeTtlMs: number;
}

/** Registers a session, or names the limit that refuses it. */
export async function openSession(db: Queryable, o: SessionOpening): Promise<'ok' | 'account' | 'address'> {
  const { rows } = await db.query<{ verdict: 'ok' | 'account' | 'address' }>(
    'SELECT kimap_open_session($1, $2, $3, $4, $5, $6, $7) AS verdict',
    [o.accountId, o.edgeId, o.sessionId, o.address, o.maxPerAccount, o.maxPerAddress, o.edgeTtlMs],
  );
  return rows[0]!.verdict;
}

export async function closeSessions(
  db: Queryable,
  edgeId: string,
  sessions: ReadonlyArray<{ accountId: number; sessionId: string }>,
): Promise<void> {
  if (sessions.length === 0) return;
  await db.query(
    `DELETE FROM imap_sessions WHERE (account_id, edge_id, session_id) IN
       (SELECT a, $1, s FROM unnest($2::bigint[], $3::text[]) AS u (a, s))`,
    [edgeId, sessions.map((s) => s.accountId), sessions.map((s) => s.sessionId)],
  );
}

/** The edge is alive for ttlMs more; 0: it is stopping, and its sessions go now. */
export async function edgeHeartbeat(db: Queryable, edgeId: string, ttlMs: number): Promise<void> {
  if (ttlMs === 0) {
    await db.query('DELETE FROM imap_edges WHERE edge_id = $1', [edgeId]);
    return;
  }
  await db.query(
    `INSERT INTO imap_edges (edge_id, expires_at) VALUES ($1, now() + $2::bigint * interval '1 millisecond')
     ON CONFLICT (edge_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
    [edgeId, ttlMs],
  );
}

/** Deletes the edges (and their sessions) expired for longer than graceMs. Returns how many edges. */
export async function purgeExpiredEdges(db: Queryable, graceMs: number): Promise<number> {
  const r = await db.query("DELETE FROM imap_edges WHERE expires_at < now() - $1::bigint * interval '1 millisecond'", [graceMs]);
  return r.rowCount;
}

/** Sessions of an account on live edges (for tests and operators). */
export async function countSessions(db: Queryable, accountId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM imap_sessions s JOIN imap_edges e ON e.edge_id = s.edge_id
      WHERE s.account_id = $1 AND e.expires_at > now()`,
    [accountId],
  );
  return Number(rows[0]!.n);
}
