// imapctl tenant add|remove|list: the mail domains.
import { addTenant, listTenants, normalizeDomain, removeTenant, type TenantInfo } from '@kimap/mailbox';
import { eachPage, printRows, type CommandGroup } from '../cli.js';
import { removed } from '../removal.js';

export const tenantCommands: CommandGroup = {
  name: 'tenant',
  commands: {
    add: {
      params: ['<domain>'],
      summary: 'add a tenant (mail domain)',
      async run(ctx, [domain]) {
        const d = normalizeDomain(domain!);
        const id = await addTenant(await ctx.db(), d);
        ctx.io.out(`tenant ${d} added (id ${id})`);
      },
    },
    remove: {
      params: ['<domain>'],
      flags: { force: 'boolean' },
      options: '[--force]',
      summary: 'remove a tenant; --force when it has accounts (removes them and their mail)',
      async run(ctx, [domain]) {
        const d = normalizeDomain(domain!);
        const removal = await removeTenant(await ctx.db(), d, { force: ctx.flags.has('force') });
        ctx.io.out(`tenant ${d} removed${removed(removal, true)}`);
      },
    },
    list: {
      params: [],
      flags: { json: 'boolean' },
      options: '[--json]',
      summary: 'list tenants: domain, accounts, aliases',
      async run(ctx) {
        const db = await ctx.db();
        await eachPage(
          (after) => listTenants(db, { after }),
          (t) => t.domain,
          (rows) =>
            printRows(
              ctx,
              rows.map(({ domain, accounts, aliases }): Pick<TenantInfo, 'domain' | 'accounts' | 'aliases'> => ({
                domain,
                accounts,
                aliases,
              })),
              [(t) => t.domain, (t) => t.accounts, (t) => t.aliases],
            ),
        );
      },
    },
  },
};
