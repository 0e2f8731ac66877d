import { ANY_STATE, type CommandHandler } from './context.js';

/** NOOP and CHECK: the polling commands. Changes are reported by the sync before the tagged OK. */
export const noop: CommandHandler<'NOOP' | 'CHECK'> = {
  names: ['NOOP', 'CHECK'],
  states: ANY_STATE,
  expungeAllowed: true,
  async run(ctx, cmd) {
    if (cmd.name === 'CHECK' && ctx.session.state !== 'selected') {
      return { text: 'CHECK completed' };
    }
    if (ctx.session.state === 'selected') await ctx.sync({ allowExpunge: true, force: false });
    return { text: `${cmd.name} completed` };
  },
};
