// CLOSE expunges silently (when read-write) and deselects; UNSELECT (RFC 3691) only deselects.
import { defineCommand, noArguments, SELECTED } from './command.js';

export const close = defineCommand({
  names: ['CLOSE', 'UNSELECT'],
  states: SELECTED,
  capabilities: ['UNSELECT'],
  parse: noArguments,
  async run(ctx, cmd) {
    const mb = ctx.session.selected!;
    // Without the e right on a shared mailbox, CLOSE only closes it (RFC 4314 4).
    if (cmd.name === 'CLOSE' && !mb.readOnly && mb.rights.includes('e')) {
      await ctx.backend.expunge(ctx.session.principal!, mb, []);
    }
    ctx.deselect();
    return { text: `${cmd.name} completed` };
  },
});
