// Per-connection IMAP state: who is logged in, what is selected, what was
// enabled. Lives in the edge's memory only; a client that reconnects to
// another pod rebuilds it with LOGIN and SELECT.
import type { Principal } from './backend.js';
import type { SelectedMailbox } from './selected.js';

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export class Session {
  state: SessionState = 'not-authenticated';
  principal?: Principal;
  selected?: SelectedMailbox;
  /** ENABLEd extensions (upper case). */
  readonly enabled = new Set<string>();
  /** SEARCHRES (RFC 5182): UIDs saved by the last SEARCH ... RETURN (SAVE). */
  savedSearch: number[] = [];
  /** A change event for the selected mailbox arrived since the last sync. */
  dirty = false;
  lastSync = 0;
  /** How the connection is protected: not at all, by STARTTLS, or by the implicit-TLS listener. */
  transport: 'plain' | 'starttls' | 'implicit';

  constructor(
    readonly id: string,
    readonly remoteAddress: string,
    tls: boolean,
  ) {
    this.transport = tls ? 'implicit' : 'plain';
  }

  get tls(): boolean {
    return this.transport !== 'plain';
  }

  /** CONDSTORE is on once enabled, or once the client used any of it (RFC 7162 3.1). */
  get condstore(): boolean {
    return this.enabled.has('CONDSTORE') || this.enabled.has('QRESYNC');
  }

  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }

  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT') || this.enabled.has('IMAP4REV2');
  }
}
