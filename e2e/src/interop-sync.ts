// The two sync tools of the interop tests (mbsync from isync, offlineimap3),
// their per-run configurations, and the server-side helper (imaptool.py).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { interopDir, python, run, tail, type Account, type InteropCluster, type RunResult } from './interop.js';

export interface SyncTool {
  name: string;
  /** The Maildir root; INBOX is <root>/INBOX, other folders <root>/<name>. */
  maildirRoot: string;
  /** Folders the tool syncs (the same names on both sides). */
  folders: string[];
  sync(): Promise<RunResult>;
  /** How the tool was set up (which TLS options), for the report. */
  describe: string;
}

export interface SyncToolOptions {
  /** Connect to the plaintext port and upgrade with STARTTLS instead of IMAPS. */
  starttls?: boolean;
}

const debug = () => process.env.INTEROP_DEBUG === '1';

/** The quoted-string form both config formats accept for our fixed values. */
function assertPlain(v: string): string {
  if (/["\\\n]/.test(v)) throw new Error(`unsupported character in config value ${JSON.stringify(v)}`);
  return v;
}

/**
 * mbsync (isync 1.4): IMAPS (or STARTTLS) with the edge's self-signed certificate as
 * CertificateFile (isync trusts a server certificate found in that file), LOGIN
 * (the legacy mechanism isync knows without SASL modules).
 */
export function mbsync(cluster: InteropCluster, account: Account, dir: string, folders: string[], opts: SyncToolOptions = {}): SyncTool {
  const root = join(dir, 'maildir');
  mkdirSync(root, { recursive: true });
  const config = join(dir, 'mbsyncrc');
  writeFileSync(
    config,
    [
      'IMAPAccount kimap',
      `Host ${cluster.host}`,
      `Port ${opts.starttls ? cluster.imapPort : cluster.imapsPort}`,
      `User "${assertPlain(account.user)}"`,
      `Pass "${assertPlain(account.pass)}"`,
      `SSLType ${opts.starttls ? 'STARTTLS' : 'IMAPS'}`,
      `CertificateFile "${assertPlain(cluster.certFile)}"`,
      'AuthMechs LOGIN',
      'Timeout 60',
      '',
      'IMAPStore remote',
      'Account kimap',
      '',
      'MaildirStore local',
      `Path "${root}/"`,
      `Inbox "${root}/INBOX"`,
      'SubFolders Verbatim',
      '',
      'Channel kimap',
      'Far :remote:',
      'Near :local:',
      `Patterns ${folders.map((f) => `"${assertPlain(f)}"`).join(' ')}`,
      'Create Both',
      'Expunge Both',
      'SyncState *',
      'Sync All',
      'CopyArrivalDate yes',
      '',
    ].join('\n'),
  );
  return {
    name: 'mbsync',
    maildirRoot: root,
    folders,
    describe: `mbsync: SSLType ${opts.starttls ? 'STARTTLS' : 'IMAPS'}, CertificateFile ${cluster.certFile}, AuthMechs LOGIN`,
    sync: () => run('mbsync', ['-c', config, ...(debug() ? ['-Dn'] : ['-V']), 'kimap'], { timeoutMs: 120_000 }),
  };
}

/**
 * offlineimap3: `ssl = yes` on the IMAPS port (or `starttls = yes` on the plain port), trust by `cert_fingerprint` (the
 * SHA-512 of the certificate's DER encoding, one of the digests offlineimap
 * compares), no CA file.
 */
export function offlineimap(
  cluster: InteropCluster,
  account: Account,
  dir: string,
  folders: string[],
  opts: SyncToolOptions = {},
): SyncTool {
  const root = join(dir, 'maildir');
  mkdirSync(root, { recursive: true });
  const config = join(dir, 'offlineimaprc');
  writeFileSync(
    config,
    [
      '[general]',
      'accounts = kimap',
      `metadata = ${join(dir, 'offlineimap-meta')}`,
      'maxsyncaccounts = 1',
      'fsync = false',
      '',
      '[Account kimap]',
      'localrepository = local',
      'remoterepository = remote',
      '',
      '[Repository local]',
      'type = Maildir',
      `localfolders = ${root}`,
      'sep = /',
      '',
      '[Repository remote]',
      'type = IMAP',
      `remotehost = ${cluster.host}`,
      `remoteport = ${opts.starttls ? cluster.imapPort : cluster.imapsPort}`,
      `remoteuser = ${assertPlain(account.user)}`,
      `remotepass = ${assertPlain(account.pass)}`,
      ...(opts.starttls
        ? ['ssl = no', 'starttls = yes']
        : ['ssl = yes', 'starttls = no', `cert_fingerprint = ${cluster.fingerprints.sha512}`]),
      `folderfilter = lambda f: f in ${JSON.stringify(folders)}`,
      'createfolders = True',
      'expunge = yes',
      'maxconnections = 1',
      'holdconnectionopen = no',
      '',
    ].join('\n'),
  );
  return {
    name: 'offlineimap',
    maildirRoot: root,
    folders,
    describe: opts.starttls
      ? 'offlineimap: ssl = no, starttls = yes (plain port; offlineimap does not verify the certificate after STARTTLS)'
      : 'offlineimap: ssl = yes (IMAPS port), cert_fingerprint = SHA-512 of the edge certificate',
    sync: () => run('offlineimap', ['-c', config, '-o', '-u', 'basic', ...(debug() ? ['-d', 'imap'] : [])], { timeoutMs: 150_000 }),
  };
}

export function maildirOf(tool: SyncTool, folder: string): string {
  return join(tool.maildirRoot, folder);
}

export interface ServerMessage {
  seq: number;
  uid: number;
  flags: string[];
  messageId: string;
  size: number;
}

export type ServerOp =
  | { op: 'state'; mailbox: string }
  | { op: 'list' }
  | { op: 'append'; mailbox: string; file: string; flags?: string[]; date?: string }
  | { op: 'store'; mailbox: string; messageIds: string[]; mode: '+FLAGS' | '-FLAGS' | 'FLAGS'; flags: string[] }
  | { op: 'delete'; mailbox: string; messageIds: string[] }
  | { op: 'bodies'; mailbox: string; messageIds: string[] };

/** Runs operations on the server through imaptool.py (imaplib over IMAPS). */
export async function serverOps(cluster: InteropCluster, account: Account, ops: ServerOp[]): Promise<unknown[]> {
  const r = await run(
    python(),
    [
      join(interopDir, 'imaptool.py'),
      '--host',
      cluster.host,
      '--port',
      String(cluster.imapsPort),
      '--user',
      account.user,
      '--password',
      account.pass,
      ...(debug() ? ['--debug', '4'] : []),
    ],
    { input: JSON.stringify(ops), timeoutMs: 60_000 },
  );
  if (r.code !== 0) throw new Error(`imaptool.py ${ops.map((o) => o.op).join(',')} exited with ${r.code}:\n${tail(r.stderr, 8000)}`);
  return JSON.parse(r.stdout) as unknown[];
}

export async function serverState(cluster: InteropCluster, account: Account, mailbox: string): Promise<ServerMessage[]> {
  return (await serverOps(cluster, account, [{ op: 'state', mailbox }]))[0] as ServerMessage[];
}

/** The exact bytes (BODY.PEEK[]) of messages on the server, by Message-ID. */
export async function serverBodies(
  cluster: InteropCluster,
  account: Account,
  mailbox: string,
  messageIds: string[],
): Promise<Map<string, Buffer>> {
  const r = (await serverOps(cluster, account, [{ op: 'bodies', mailbox, messageIds }]))[0] as Record<string, string>;
  return new Map(Object.entries(r).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/**
 * A message without the tracking header a sync tool adds to what it copies
 * (mbsync: X-TUID, always, in both directions; offlineimap: X-OfflineIMAP, when the
 * server lacks UIDPLUS), so the rest can be compared byte for byte.
 */
export function withoutToolHeaders(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const sep = /\r?\n\r?\n/.exec(text);
  if (!sep) return raw;
  const end = sep.index + (sep[0].startsWith('\r\n') ? 2 : 1);
  const head = text.slice(0, end).replace(/^(X-TUID|X-OfflineIMAP):[^\n]*\n/gim, '');
  return Buffer.from(head + text.slice(end), 'latin1');
}

/** undefined when equal, else where the two differ. */
export function describeDifference(actual: Buffer, expected: Buffer): string | undefined {
  if (actual.equals(expected)) return undefined;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const show = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 20), i + 40).toString('latin1'));
  const crlf = (b: Buffer) => b.toString('latin1').replace(/\r\n/g, '\n');
  return (
    `${actual.length} bytes vs ${expected.length} expected, first difference at byte ${i}: ${show(actual)} vs ${show(expected)}` +
    (crlf(actual) === crlf(expected) ? ' (equal but for CRLF/LF line ends)' : '')
  );
}
