// CLOSE expunges silently (when read-write) and deselects; UNSELECT (RFC 3691) only deselects.
import { defineCommand, noArguments, SELECTED } from './command.js';

export const close = defineCommand({
  names: ['CLOSE', 'UNSELECT'],
  states: SELECTED,
  capabilities: ['UNSELECT'],
  parse: noArguments,
  async run(ctx, cmd) {
    const mb = ctx.session.selected!;
    if (cmd.name === 'CLOSE' && !mb.readOnly) {
      await ctx.backend.expunge(ctx.session.principal!, mb.mailboxId, []);
    }
    ctx.deselect();
    return { text: `${cmd.name} completed` };
  },
});
