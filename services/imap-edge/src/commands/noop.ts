// NOOP, the polling command, and CHECK (RFC 3501 6.4.1), a checkpoint of the
// selected mailbox: every change is already durable. Changes are reported by
// the sync before the tagged OK.
import { ANY_STATE, defineCommand, noArguments, SELECTED } from './command.js';

export const noop = defineCommand({
  names: ['NOOP'],
  states: ANY_STATE,
  expungeAllowed: true,
  parse: noArguments,
  async run(ctx) {
    if (ctx.session.state === 'selected') await ctx.sync({ allowExpunge: true, force: false });
    return { text: 'NOOP completed' };
  },
});

export const check = defineCommand({
  names: ['CHECK'],
  states: SELECTED,
  expungeAllowed: true,
  parse: noArguments,
  async run(ctx) {
    await ctx.sync({ allowExpunge: true, force: false });
    return { text: 'CHECK completed' };
  },
});
