// What a transcript is once parsed (the steps of a `.imap` file, the lines each
// exchange expects), and what running it against a server found. The format is
// described in e2e/transcripts/README.md.

export type ServerName = 'kimap' | 'dovecot';
export const SERVERS: readonly ServerName[] = ['kimap', 'dovecot'];

/** One expected server line (a logical line: literals included). */
export interface Expectation {
  /** Pattern text (placeholders allowed) and verbatim literal bytes, in order. */
  parts: Array<{ kind: 'pattern' | 'verbatim'; text: string }>;
  /** Expected from this server only (`S[kimap]:`, `S[dovecot]:`). */
  only?: ServerName;
  /** `S?:` — may match any number of lines, none included. */
  optional: boolean;
  line: number;
  /** The line(s) as written, for messages. */
  source: string;
}

/** Client bytes sent at once, then the server lines expected up to a `+` or the tagged reply. */
export interface Exchange {
  send: Buffer[];
  expect: Expectation[];
}

export interface ConnectStep {
  kind: 'connect';
  line: number;
  greeting: Expectation[];
  /** `@connect NAME`: the connection stays open beside the others, for `@use NAME`. */
  name?: string;
}
/** `@use NAME`: the commands that follow go to that open connection. */
export interface UseStep {
  kind: 'use';
  line: number;
  name: string;
}
export interface CommandStep {
  kind: 'command';
  line: number;
  tag: string;
  /** The client lines as written. */
  display: string[];
  exchanges: Exchange[];
  ordered: boolean;
  /** `C[kimap]:` / `C[dovecot]:`: a command for one server only. */
  only?: ServerName;
}
export interface ClosedStep {
  kind: 'closed';
  line: number;
}
export type Step = ConnectStep | CommandStep | ClosedStep | UseStep;

export interface Transcript {
  name: string;
  file: string;
  /** The leading comment block. */
  description: string;
  steps: Step[];
  /** `@quota`: limits the transcript's account is created with. */
  quota?: AccountQuota;
}

export interface Account {
  user: string;
  password: string;
}

/** An account's quota (RFC 9208 resources): STORAGE in KiB, MESSAGE in messages. */
export interface AccountQuota {
  storageKiB?: number;
  messages?: number;
}

/** A `.imap` file that does not follow the format (e2e/transcripts/README.md). */
export class TranscriptSyntaxError extends Error {}

export interface Mismatch {
  /** Line of the command (or directive) in the transcript. */
  line: number;
  command: string;
  problems: string[];
  expected: string[];
  received: string[];
}

export interface TranscriptRun {
  server: ServerName;
  transcript: Transcript;
  mismatches: Mismatch[];
  /** Client and server lines as exchanged, in transcript syntax. */
  log: string[];
}
