// Runs imapctl in-process against a database of its own, as the binary would.
import { createTestDatabase, type TestDatabase } from '@kimap/common/testing/services';
import { run } from '../../src/index.js';

export interface Outcome {
  code: number;
  out: string[];
  err: string[];
}

export interface Ctl {
  tdb: TestDatabase;
  /** imapctl with --database-url of the test database and these arguments. */
  (...argv: string[]): Promise<Outcome>;
  /** The same, with this standard input. */
  withStdin(stdin: string, ...argv: string[]): Promise<Outcome>;
}

export async function startCtl(): Promise<Ctl> {
  const tdb = await createTestDatabase();
  const call = async (stdin: string, argv: string[]): Promise<Outcome> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['--database-url', tdb.url, ...argv], {
      out: (l) => out.push(...l.split('\n')),
      err: (l) => err.push(l),
      stdin: () => stdin,
    });
    return { code, out, err };
  };
  return Object.assign((...argv: string[]) => call('', argv), { tdb, withStdin: (stdin: string, ...argv: string[]) => call(stdin, argv) });
}

/** The outcome of a command that must fail: its exit status and its one line on stderr. */
export const failure = (o: Outcome): [number, string] => {
  if (o.err.length !== 1 || o.out.length !== 0) throw new Error(`expected one error line, got ${JSON.stringify(o)}`);
  return [o.code, o.err[0]!];
};

/** Rows per table of these accounts (tenants: of these tenants). */
export async function rowsOf(tdb: TestDatabase, accountIds: number[], tenantIds: number[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['tenants', 'accounts', 'mailboxes', 'messages', 'message_bodies', 'expunged', 'subscriptions', 'outbox', 'aliases']) {
    const [column, ids] = t === 'tenants' ? ['tenant_id', tenantIds] : ['account_id', accountIds];
    const { rows } = await tdb.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${t} WHERE ${column} = ANY($1::bigint[])`, [ids]);
    out[t] = rows[0]!.n;
  }
  return out;
}

export const EMPTY = {
  tenants: 0,
  accounts: 0,
  mailboxes: 0,
  messages: 0,
  message_bodies: 0,
  expunged: 0,
  subscriptions: 0,
  outbox: 0,
  aliases: 0,
};
