// ENABLE (RFC 5161): only extensions that change what the server sends.
import type { CommandParser } from '../protocol/index.js';
import { AUTHENTICATED, defineCommand } from './command.js';
import { enableCondstore } from './condstore.js';

export const ENABLEABLE = new Set(['IMAP4REV2', 'UTF8=ACCEPT', 'CONDSTORE', 'QRESYNC']);

export interface EnableArgs {
  /** Upper-cased capability names, in order. */
  readonly capabilities: string[];
}

/** `ENABLE 1*(SP capability)`. */
export function parseEnable(p: CommandParser): EnableArgs {
  const capabilities: string[] = [];
  do {
    p.expectSP();
    capabilities.push(p.expectAtom().toUpperCase());
  } while (!p.atEnd());
  return { capabilities };
}

export const enable = defineCommand({
  names: ['ENABLE'],
  states: AUTHENTICATED,
  capabilities: ['ENABLE'],
  parse: parseEnable,
  run(ctx, cmd) {
    const newly: string[] = [];
    const offered = new Set(ctx.capabilities().map((c) => c.toUpperCase()));
    for (const cap of cmd.args.capabilities) {
      if (!ENABLEABLE.has(cap) || !offered.has(cap) || ctx.session.enabled.has(cap)) continue;
      if (cap === 'CONDSTORE' || cap === 'QRESYNC') enableCondstore(ctx, cap);
      else ctx.session.enabled.add(cap);
      newly.push(cap === 'IMAP4REV2' ? 'IMAP4rev2' : cap);
    }
    if (ctx.session.utf8) ctx.enc.utf8 = true;
    ctx.enc
      .untagged()
      .raw('ENABLED' + newly.map((c) => ' ' + c).join(''))
      .crlf();
    return { text: 'ENABLE completed' };
  },
});
