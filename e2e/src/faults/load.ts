// A storm of IMAP clients for the fault suite. Each client owns three
// mailboxes of its run (in, copy, out) and loops: APPEND a message with a
// Message-ID of its own to `in`, then on some of them UID STORE +FLAGS, UID
// COPY to `copy`, UID MOVE to `out`. Every command's outcome is logged (OK,
// NO with its code, BAD, or unknown when the connection broke or the reply
// did not come in time), so that afterwards each mailbox can be held against
// what the server acknowledged (check.ts).
//
// A client whose connection breaks reconnects to the next server address,
// selects `in` again with QRESYNC from the state it last fetched, and checks
// that what QRESYNC told it equals what a fresh FETCH shows.
import { ImapClient, type TaggedResult } from '../../../services/imap-edge/test/support/imap-client.js';

export type Outcome = 'ok' | 'no' | 'bad' | 'unknown';
export type Kind = 'APPEND' | 'STORE' | 'COPY' | 'MOVE' | 'SELECT' | 'LOGIN' | 'CONNECT' | 'FETCH';

export interface CommandRecord {
  client: number;
  kind: Kind;
  outcome: Outcome;
  /** The response code of a NO or BAD (UNAVAILABLE, ...), or why the outcome is unknown. */
  code?: string;
  text: string;
  /** The server the client was connected to (its index in the address list). */
  server: number;
  startedAt: number;
  ms: number;
}

/** What happened to one message a client appended, step by step. */
export interface SentMessage {
  id: string;
  client: number;
  append: Outcome;
  uid?: number;
  store?: Outcome;
  copy?: Outcome;
  copyUid?: number;
  move?: Outcome;
  movedUid?: number;
}

export interface ResyncRecord {
  client: number;
  server: number;
  at: number;
  /** undefined: QRESYNC gave the state a fresh FETCH shows. */
  mismatch?: string;
}

export interface LoadSettings {
  /** Ports of the servers (edges) to use; client k starts on k mod n. */
  ports: number[];
  /** Accounts, one per `clientsPerUser` clients. */
  users: string[];
  password: string;
  clients: number;
  clientsPerUser: number;
  /** How long a command may take before its outcome counts as unknown (a hang). */
  commandTimeoutMs: number;
  /** Names the mailboxes of this run apart from those of other runs. */
  run: string;
}

export const boxes = (run: string, client: number) => ({
  in: `${run}-c${client}-in`,
  copy: `${run}-c${client}-copy`,
  out: `${run}-c${client}-out`,
});

export const userOf = (s: Pick<LoadSettings, 'users' | 'clientsPerUser'>, client: number): string =>
  s.users[Math.floor(client / s.clientsPerUser) % s.users.length]!;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function parseStatus(tagged: string): { outcome: Outcome; code?: string } {
  const m = /^\S+ (OK|NO|BAD)(?: \[([^\]]*)\])?/.exec(tagged);
  if (!m) return { outcome: 'unknown', code: 'unparsable' };
  const outcome = m[1] === 'OK' ? 'ok' : m[1] === 'NO' ? 'no' : 'bad';
  const code = m[2]?.split(' ')[0];
  return code ? { outcome, code } : { outcome };
}

/** A UID set in its shortest form (1:3,7). */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function expandSet(set: string): number[] {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const [a, b] = part.split(':').map(Number);
    if (b === undefined) out.push(a!);
    else for (let u = Math.min(a!, b); u <= Math.max(a!, b); u++) out.push(u);
  }
  return out;
}

/**
 * Flags as a sorted list, without \Recent: that one belongs to the session
 * that claimed the message (RFC 3501 2.3.2), so a client's next connection
 * rightly no longer sees it, and no mod-sequence records its going.
 */
const normFlags = (s: string) =>
  s
    .split(' ')
    .filter((f) => f && f.toLowerCase() !== '\\recent')
    .sort()
    .join(' ');

/** UID -> flags from FETCH lines that carry both. */
export function fetchedFlags(lines: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const l of lines) {
    const uid = /^\* \d+ FETCH \(.*\bUID (\d+)/.exec(l);
    const flags = /\bFLAGS \(([^)]*)\)/.exec(l);
    if (uid && flags) out.set(Number(uid[1]), normFlags(flags[1]!));
  }
  return out;
}

/** The selected mailbox as the client last fetched it, for QRESYNC. */
interface Snapshot {
  uidValidity: number;
  modseq: number;
  flags: Map<number, string>;
}

export class Load {
  readonly commands: CommandRecord[] = [];
  readonly sent: SentMessage[] = [];
  readonly resyncs: ResyncRecord[] = [];
  /** UIDVALIDITY first seen per mailbox, and every different one seen later. */
  readonly uidValidity = new Map<string, number>();
  readonly uidValidityChanges: string[] = [];
  private stopped = false;
  private readonly running: Promise<void>[] = [];

  constructor(readonly settings: LoadSettings) {}

  /** Creates every client's mailboxes (before the faults). */
  async prepare(): Promise<void> {
    const s = this.settings;
    const users = new Map<string, number[]>();
    for (let k = 0; k < s.clients; k++) users.set(userOf(s, k), [...(users.get(userOf(s, k)) ?? []), k]);
    await Promise.all(
      [...users].map(async ([user, clients]) => {
        const { client } = await ImapClient.connect(s.ports[0]!, { timeoutMs: 30_000 });
        // On a loaded machine a command may run past the servers' deadline: tried again.
        const command = async (text: string, ok: (tagged: string) => boolean) => {
          for (let attempt = 1; ; attempt++) {
            const r = await client.command('p', text, 30_000);
            if (r.tagged.startsWith('p OK') || ok(r.tagged)) return;
            if (!r.tagged.startsWith('p NO [UNAVAILABLE]') || attempt === 5) throw new Error(`${text}: ${r.tagged}`);
            await sleep(1000);
          }
        };
        try {
          await command(`LOGIN ${user} ${s.password}`, () => false);
          for (const k of clients) {
            for (const box of Object.values(boxes(s.run, k))) {
              // A CREATE whose reply came too late may have been done.
              await command(`CREATE ${box}`, (tagged) => tagged.startsWith('p NO [ALREADYEXISTS]'));
            }
          }
        } finally {
          await client.close();
        }
      }),
    );
  }

  start(): void {
    for (let k = 0; k < this.settings.clients; k++) this.running.push(new StormClient(this, k).run(() => this.stopped));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  /** Commands that started in [from, to). */
  between(from: number, to = Infinity): CommandRecord[] {
    return this.commands.filter((c) => c.startedAt >= from && c.startedAt < to);
  }

  /**
   * The commands in flight at some moment of [from, to): also those sent just
   * before a fault began, which a fault meets first (with every session busy,
   * they can be the only ones it refuses: the retry after their NO may come
   * late enough in the fault to be answered once it is over).
   */
  during(from: number, to: number): CommandRecord[] {
    return this.commands.filter((c) => c.startedAt < to && c.startedAt + c.ms >= from);
  }

  seenUidValidity(box: string, value: number): void {
    const first = this.uidValidity.get(box);
    if (first === undefined) this.uidValidity.set(box, value);
    else if (first !== value) this.uidValidityChanges.push(`${box}: ${first} -> ${value}`);
  }
}

class StormClient {
  private conn?: ImapClient;
  private server: number;
  private tagNo = 0;
  private snapshot?: Snapshot;
  private readonly box: { in: string; copy: string; out: string };
  private readonly user: string;

  constructor(
    private readonly load: Load,
    private readonly k: number,
  ) {
    const s = load.settings;
    this.server = k % s.ports.length;
    this.box = boxes(s.run, k);
    this.user = userOf(s, k);
  }

  private get s(): LoadSettings {
    return this.load.settings;
  }

  private drop(): void {
    this.conn?.destroy();
    this.conn = undefined;
  }

  /** Runs one command, logs its outcome; an unknown outcome drops the connection. */
  private async exec(kind: Kind, send: (tag: string) => void): Promise<TaggedResult & { outcome: Outcome; code?: string }> {
    const conn = this.conn!;
    const tag = `t${++this.tagNo}`;
    const startedAt = Date.now();
    let result: TaggedResult & { outcome: Outcome; code?: string };
    try {
      send(tag);
      const r = await conn.readTagged(tag, this.s.commandTimeoutMs);
      result = { ...r, ...parseStatus(r.tagged) };
    } catch (err) {
      const closed = conn.closed || /closed/.test(String(err));
      result = { untagged: [], untaggedRaw: [], tagged: '', outcome: 'unknown', code: closed ? 'connection closed' : 'timeout' };
    }
    const record: CommandRecord = {
      client: this.k,
      kind,
      outcome: result.outcome,
      text: result.tagged,
      server: this.server,
      startedAt,
      ms: Date.now() - startedAt,
    };
    if (result.code) record.code = result.code;
    this.load.commands.push(record);
    if (result.outcome === 'unknown') this.drop();
    return result;
  }

  private command(kind: Kind, text: string) {
    return this.exec(kind, (tag) => this.conn!.send(`${tag} ${text}\r\n`));
  }

  async run(stopped: () => boolean): Promise<void> {
    for (let i = 0; !stopped(); i++) {
      if (!this.conn) {
        if (!(await this.connect(stopped))) await sleep(250);
        continue;
      }
      await this.step(i);
      if (this.conn && i % 10 === 9) await this.checkpoint();
    }
    this.drop();
  }

  private async step(i: number): Promise<void> {
    const msg: SentMessage = { id: `<${this.s.run}.${this.k}.${i}@faults.test>`, client: this.k, append: 'unknown' };
    this.load.sent.push(msg);
    const body = Buffer.from(
      `From: storm@faults.test\r\nTo: ${this.user}\r\nSubject: storm ${this.k}/${i}\r\nMessage-ID: ${msg.id}\r\n\r\nmessage ${i} of client ${this.k}\r\n`,
    );
    const a = await this.exec('APPEND', (tag) => {
      this.conn!.send(`${tag} APPEND ${this.box.in} (\\Seen) {${body.length}+}\r\n`);
      this.conn!.send(Buffer.concat([body, Buffer.from('\r\n')]));
    });
    msg.append = a.outcome;
    const appendUid = /\[APPENDUID (\d+) (\d+)\]/.exec(a.tagged);
    if (a.outcome !== 'ok') return this.backOff(a.outcome);
    if (appendUid) {
      msg.uid = Number(appendUid[2]);
      this.load.seenUidValidity(this.box.in, Number(appendUid[1]));
    }
    if (i % 2 === 0) {
      const r = await this.command('STORE', `UID STORE ${msg.uid} +FLAGS.SILENT (\\Flagged)`);
      msg.store = r.outcome;
      if (r.outcome !== 'ok') return this.backOff(r.outcome);
    }
    if (i % 3 === 0) {
      const r = await this.command('COPY', `UID COPY ${msg.uid} ${this.box.copy}`);
      msg.copy = r.outcome;
      const copyUid = /\[COPYUID (\d+) \S+ (\d+)\]/.exec(r.tagged);
      if (r.outcome !== 'ok') return this.backOff(r.outcome);
      if (copyUid) {
        msg.copyUid = Number(copyUid[2]);
        this.load.seenUidValidity(this.box.copy, Number(copyUid[1]));
      }
    }
    if (i % 4 === 1 || i % 4 === 2) {
      const r = await this.command('MOVE', `UID MOVE ${msg.uid} ${this.box.out}`);
      msg.move = r.outcome;
      // RFC 6851: the COPYUID of a MOVE comes in an untagged OK before the expunge.
      const copyUid = /\[COPYUID (\d+) \S+ (\d+)\]/.exec([...r.untagged, r.tagged].join('\n'));
      if (r.outcome !== 'ok') return this.backOff(r.outcome);
      if (copyUid) {
        msg.movedUid = Number(copyUid[2]);
        this.load.seenUidValidity(this.box.out, Number(copyUid[1]));
      }
    }
  }

  private async backOff(outcome: Outcome): Promise<void> {
    if (outcome === 'no') await sleep(200);
  }

  /** Records the selected mailbox's state, to resynchronise from after a reconnection. */
  private async checkpoint(): Promise<void> {
    const r = await this.command('FETCH', 'UID FETCH 1:* (UID FLAGS MODSEQ)');
    if (r.outcome !== 'ok' || !this.snapshot) return;
    let modseq = 1;
    for (const l of r.untagged) {
      const m = /MODSEQ \((\d+)\)/.exec(l);
      if (m) modseq = Math.max(modseq, Number(m[1]));
    }
    this.snapshot = { uidValidity: this.snapshot.uidValidity, modseq, flags: fetchedFlags(r.untagged) };
  }

  /** Connects to the next server, logs in and selects `in` (with QRESYNC after a break). */
  private async connect(stopped: () => boolean): Promise<boolean> {
    const server = this.server;
    const startedAt = Date.now();
    // A step that did not get through (logged here unless its command was logged already).
    const fail = (kind: Kind, code: string, text = '', logged = true) => {
      if (!logged)
        this.load.commands.push({ client: this.k, kind, outcome: 'unknown', code, text, server, startedAt, ms: Date.now() - startedAt });
      this.drop();
      // The next attempt goes to the next server.
      this.server = (this.server + 1) % this.s.ports.length;
      return false;
    };
    try {
      this.conn = (await ImapClient.connect(this.s.ports[server]!, { timeoutMs: this.s.commandTimeoutMs })).client;
    } catch (err) {
      return fail('CONNECT', 'refused', String(err).slice(0, 100), false);
    }
    if (stopped()) return false;
    const login = await this.command('LOGIN', `LOGIN ${this.user} ${this.s.password}`);
    if (login.outcome !== 'ok') return fail('LOGIN', login.code ?? login.outcome, login.tagged);
    const enable = await this.command('SELECT', 'ENABLE QRESYNC');
    if (enable.outcome !== 'ok') return fail('SELECT', enable.code ?? enable.outcome, enable.tagged);
    const before = this.snapshot;
    const qresync = before
      ? ` (QRESYNC (${before.uidValidity} ${before.modseq}${before.flags.size ? ' ' + uidSet([...before.flags.keys()]) : ''}))`
      : '';
    const sel = await this.command('SELECT', `SELECT ${this.box.in}${qresync}`);
    if (sel.outcome !== 'ok') return fail('SELECT', sel.code ?? sel.outcome, sel.tagged);
    const v = /\[UIDVALIDITY (\d+)\]/.exec(sel.untagged.join('\n'));
    if (!v) return fail('SELECT', 'no UIDVALIDITY', sel.tagged, false);
    const uidValidity = Number(v[1]);
    this.load.seenUidValidity(this.box.in, uidValidity);
    const highest = /\[HIGHESTMODSEQ (\d+)\]/.exec(sel.untagged.join('\n'));

    // What the client now believes: its old state, with what QRESYNC reported applied.
    let believed: Map<number, string> | undefined;
    if (before && before.uidValidity === uidValidity) {
      believed = new Map(before.flags);
      for (const l of sel.untagged) {
        const vanished = /^\* VANISHED \(EARLIER\) (\S+)/.exec(l);
        if (vanished) for (const u of expandSet(vanished[1]!)) believed.delete(u);
      }
      for (const [uid, flags] of fetchedFlags(sel.untagged)) believed.set(uid, flags);
    }
    const all = await this.command('FETCH', 'UID FETCH 1:* (UID FLAGS)');
    if (all.outcome !== 'ok') return all.outcome === 'unknown' ? false : fail('FETCH', all.code ?? all.outcome, all.tagged);
    const actual = fetchedFlags(all.untagged);
    if (believed) {
      const record: ResyncRecord = { client: this.k, server, at: Date.now() };
      const diff = [...new Set([...believed.keys(), ...actual.keys()])].filter((u) => believed.get(u) !== actual.get(u));
      const exists = /^\* (\d+) EXISTS/m.exec(sel.untagged.join('\n'));
      if (diff.length) {
        record.mismatch = `UIDs ${diff.slice(0, 5).join(',')}: QRESYNC gave ${diff
          .slice(0, 5)
          .map((u) => believed.get(u) ?? 'none')
          .join(' | ')}, FETCH shows ${diff
          .slice(0, 5)
          .map((u) => actual.get(u) ?? 'none')
          .join(' | ')}`;
      } else if (exists && Number(exists[1]) !== actual.size) {
        record.mismatch = `EXISTS ${exists[1]} but FETCH shows ${actual.size} messages`;
      }
      this.load.resyncs.push(record);
    }
    this.snapshot = { uidValidity, modseq: highest ? Number(highest[1]) : 1, flags: actual };
    return true;
  }
}
