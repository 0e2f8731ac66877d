// STARTTLS (RFC 9051 6.2.1). Offered only where a certificate is configured
// (the connection adds it to CAPABILITY before TLS).
import { defineCommand, ImapBad, noArguments, NOT_AUTHENTICATED } from './command.js';

export const starttls = defineCommand({
  names: ['STARTTLS'],
  states: NOT_AUTHENTICATED,
  interactive: true,
  parse: noArguments,
  run(ctx, cmd) {
    if (ctx.session.tls) throw new ImapBad('TLS is already active');
    if (!ctx.settings.tlsAvailable) throw new ImapBad('STARTTLS is not available');
    // The OK goes out in clear text before the handshake; the connection then
    // drops any pipelined plaintext and starts TLS.
    ctx.enc.status(cmd.tag, 'OK', 'Begin TLS negotiation now');
    ctx.conn.startTls();
    return { answered: true };
  },
});
