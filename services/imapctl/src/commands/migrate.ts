// imapctl migrate: applies pending database migrations.
import { migrate } from '@kimap/common';
import type { CommandGroup } from '../cli.js';

export const migrateCommands: CommandGroup = {
  name: 'migrate',
  commands: {
    '': {
      params: [],
      summary: 'apply pending database migrations',
      async run(ctx) {
        const applied = await migrate(await ctx.database());
        ctx.io.out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      },
    },
  },
};
