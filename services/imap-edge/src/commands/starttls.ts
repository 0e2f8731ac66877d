import { ImapBad, NOT_AUTHENTICATED, type CommandHandler } from './context.js';

export const starttls: CommandHandler<'STARTTLS'> = {
  names: ['STARTTLS'],
  states: NOT_AUTHENTICATED,
  async run(ctx, cmd) {
    if (ctx.session.tls) throw new ImapBad('TLS is already active');
    if (!ctx.settings.tlsAvailable) throw new ImapBad('STARTTLS is not available');
    // The OK goes out in clear text before the handshake; the connection then
    // drops any pipelined plaintext and starts TLS.
    ctx.enc.status(cmd.tag, 'OK', 'Begin TLS negotiation now');
    await ctx.conn.startTls();
    return { answered: true };
  },
};
