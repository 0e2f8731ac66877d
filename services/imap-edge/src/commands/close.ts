// CLOSE expunges silently (when read-write) and deselects; UNSELECT only deselects.
import { SELECTED, type CommandHandler } from './context.js';

export const close: CommandHandler<'CLOSE' | 'UNSELECT'> = {
  names: ['CLOSE', 'UNSELECT'],
  states: SELECTED,
  async run(ctx, cmd) {
    const mb = ctx.session.selected!;
    if (cmd.name === 'CLOSE' && !mb.readOnly) {
      await ctx.backend.expunge(ctx.session.principal!, mb.mailboxId, []);
    }
    ctx.deselect();
    return { text: `${cmd.name} completed` };
  },
};
