import { ANY_STATE, SELECTED, type CommandHandler } from './context.js';

/** NOOP: the polling command. Changes are reported by the sync before the tagged OK. */
export const noop: CommandHandler<'NOOP'> = {
  names: ['NOOP'],
  states: ANY_STATE,
  expungeAllowed: true,
  async run(ctx) {
    if (ctx.session.state === 'selected') await ctx.sync({ allowExpunge: true, force: false });
    return { text: 'NOOP completed' };
  },
};

/** CHECK (RFC 3501 6.4.1): a checkpoint of the selected mailbox; every change is already durable. */
export const check: CommandHandler<'CHECK'> = {
  names: ['CHECK'],
  states: SELECTED,
  expungeAllowed: true,
  async run(ctx) {
    await ctx.sync({ allowExpunge: true, force: false });
    return { text: 'CHECK completed' };
  },
};
