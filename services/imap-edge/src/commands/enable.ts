// ENABLE (RFC 5161): only extensions that change what the server sends.
import { AUTHENTICATED, type CommandHandler } from './context.js';

export const ENABLEABLE = new Set(['IMAP4REV2', 'UTF8=ACCEPT', 'CONDSTORE', 'QRESYNC']);

export const enable: CommandHandler<'ENABLE'> = {
  names: ['ENABLE'],
  states: AUTHENTICATED,
  async run(ctx, cmd) {
    const newly: string[] = [];
    const offered = new Set(ctx.capabilities().map((c) => c.toUpperCase()));
    for (const cap of cmd.args.capabilities) {
      if (!ENABLEABLE.has(cap) || !offered.has(cap) || ctx.session.enabled.has(cap)) continue;
      ctx.session.enabled.add(cap);
      newly.push(cap === 'IMAP4REV2' ? 'IMAP4rev2' : cap);
    }
    if (ctx.session.utf8) ctx.enc.utf8 = true;
    ctx.enc.untagged().raw('ENABLED' + newly.map((c) => ' ' + c).join('')).crlf();
    return { text: 'ENABLE completed' };
  },
};
