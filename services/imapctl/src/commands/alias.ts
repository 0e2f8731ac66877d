// imapctl alias add|remove|list: further addresses of accounts, and catch-alls.
import { addAlias, listAliases, removeAlias } from '@kimap/mailbox';
import { eachPage, printRows, type CommandGroup } from '../cli.js';

export const aliasCommands: CommandGroup = {
  name: 'alias',
  commands: {
    add: {
      params: ['<alias>', '<address>'],
      summary: 'deliver mail for <alias> to the account <address>',
      async run(ctx, [alias, address]) {
        const a = await addAlias(await ctx.db(), alias!, address!);
        ctx.io.out(`alias ${a.address} added for ${a.target}`);
      },
    },
    remove: {
      params: ['<alias>'],
      summary: 'remove an alias',
      async run(ctx, [alias]) {
        const a = await removeAlias(await ctx.db(), alias!);
        ctx.io.out(`alias ${a.address} removed (it was for ${a.target})`);
      },
    },
    list: {
      params: ['[<domain>|<address>]'],
      flags: { json: 'boolean' },
      options: '[--json]',
      summary: 'list aliases (all, of a domain, of an account)',
      async run(ctx, [filter]) {
        const db = await ctx.db();
        const by = filter === undefined ? {} : filter.includes('@') ? { target: filter } : { domain: filter };
        await eachPage(
          (after) => listAliases(db, by, { after }),
          (a) => a.address,
          (rows) =>
            printRows(
              ctx,
              rows.map(({ address, target }) => ({ alias: address, target })),
              [(a) => a.alias, (a) => a.target],
            ),
        );
      },
    },
  },
};
