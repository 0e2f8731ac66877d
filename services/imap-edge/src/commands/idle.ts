// IDLE (RFC 2177): changes to the selected mailbox are pushed as they arrive
// (the change feed wakes the session), with a keep-alive line so NAT boxes
// keep the connection, and a poll while the feed is down. DONE ends it.
//
// An idling session costs no timer of its own: one ticker per process walks
// the idling sessions once a second for their keep-alives and polls.
import { AUTHENTICATED, defineCommand, ImapBad, noArguments } from './command.js';

interface Idler {
  keepaliveAt: number;
  keepaliveMs: number;
  lastPoll: number;
  /** Whether a poll is due now (it depends on the feed's health). */
  pollDue(now: number): boolean;
  keepalive(): void;
  poll(): void;
}

const idlers = new Set<Idler>();
let ticker: NodeJS.Timeout | undefined;

function tick(): void {
  const now = Date.now();
  for (const i of idlers) {
    if (now >= i.keepaliveAt) {
      i.keepaliveAt = now + i.keepaliveMs;
      i.keepalive();
    }
    if (i.pollDue(now)) {
      i.lastPoll = now;
      i.poll();
    }
  }
}

function watch(i: Idler): void {
  idlers.add(i);
  if (!ticker) {
    ticker = setInterval(tick, 1000);
    ticker.unref();
  }
}

function unwatch(i: Idler): void {
  idlers.delete(i);
  if (idlers.size === 0 && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

export const idle = defineCommand({
  names: ['IDLE'],
  states: AUTHENTICATED,
  capabilities: ['IDLE'],
  interactive: true,
  parse: noArguments,
  async run(ctx) {
    const { enc } = ctx;
    enc.continuation('idling');
    let syncing: Promise<void> = Promise.resolve();
    let again = false;
    let failed: Error | undefined;
    let forced = false;
    const push = (force = false) => {
      forced ||= force;
      if (again) return;
      again = true;
      syncing = syncing.then(async () => {
        again = false;
        const force = forced;
        forced = false;
        try {
          await ctx.sync({ allowExpunge: true, force });
          enc.flush();
        } catch (err) {
          failed ??= err instanceof Error ? err : new Error(String(err));
        }
      });
    };
    ctx.onWake(push);
    // Changes that arrived between the last command and IDLE.
    push();
    const now = Date.now();
    // Polls are a safety net while the feed is up (spread out, so that sessions
    // selected together do not poll together) and the way to learn of changes
    // while it is down.
    const spread = ctx.settings.pollIntervalMs * (0.9 + 0.2 * Math.random());
    const downInterval = Math.max(1000, Math.min(ctx.settings.pollIntervalMs, 5000));
    const idler: Idler = {
      keepaliveMs: ctx.settings.idleKeepaliveMs,
      keepaliveAt: now + ctx.settings.idleKeepaliveMs,
      lastPoll: now,
      pollDue: (t) => t - idler.lastPoll >= (ctx.feedHealthy() ? spread : downInterval),
      keepalive: () => {
        enc.status(null, 'OK', 'Still here');
        enc.flush();
      },
      poll: () => push(true),
    };
    watch(idler);
    try {
      const line = await ctx.conn.readLine();
      if (line.toString('latin1').toUpperCase() !== 'DONE') throw new ImapBad('Expected DONE');
    } finally {
      unwatch(idler);
      ctx.onWake(undefined);
      await syncing;
    }
    if (failed) throw failed;
    return { text: 'IDLE terminated' };
  },
});
