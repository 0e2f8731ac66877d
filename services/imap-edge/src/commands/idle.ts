// IDLE (RFC 2177): changes to the selected mailbox are pushed as they arrive
// (the change feed wakes the session), with a keep-alive line so NAT boxes
// keep the connection, and a poll while the feed is down. DONE ends it.
import { ImapBad, AUTHENTICATED, type CommandHandler } from './context.js';

export const idle: CommandHandler<'IDLE'> = {
  names: ['IDLE'],
  states: AUTHENTICATED,
  async run(ctx) {
    const { enc } = ctx;
    enc.continuation('idling');
    let syncing: Promise<void> = Promise.resolve();
    let again = false;
    let failed: unknown;
    const push = () => {
      if (again) return;
      again = true;
      syncing = syncing.then(async () => {
        again = false;
        try {
          await ctx.sync({ allowExpunge: true, force: false });
          enc.flush();
        } catch (err) {
          failed ??= err;
        }
      });
    };
    ctx.onWake(push);
    // Changes that arrived between the last command and IDLE.
    push();
    const keepalive = setInterval(() => {
      enc.status(null, 'OK', 'Still here');
      enc.flush();
    }, ctx.settings.idleKeepaliveMs);
    // The sync decides by itself whether the poll interval has passed.
    const poll = setInterval(push, Math.max(1000, Math.min(ctx.settings.pollIntervalMs, 5000)));
    try {
      const line = await ctx.conn.readLine();
      if (line.toString('latin1').toUpperCase() !== 'DONE') throw new ImapBad('Expected DONE');
    } finally {
      clearInterval(keepalive);
      clearInterval(poll);
      ctx.onWake(undefined);
      await syncing;
    }
    if (failed) throw failed;
    return { text: 'IDLE terminated' };
  },
};
