// imapctl user add|remove|list|passwd|disable|enable: the accounts.
import {
  addUser,
  checkNewUser,
  checkPassword,
  getUser,
  listUsers,
  parseAddress,
  removeUser,
  setDisabled,
  setPassword,
  type UserInfo,
} from '@kimap/mailbox';
import { eachPage, printRows, stringFlag, UsageError, type CommandContext, type CommandGroup } from '../cli.js';
import { removed } from '../removal.js';

const PASSWORD_FLAGS = { password: 'string', 'password-stdin': 'boolean' } as const;
const PASSWORD_OPTIONS = '(--password PASSWORD | --password-stdin)';

/** The password given with --password or on standard input, checked against the rule. */
function passwordOf(ctx: CommandContext): string {
  const flag = stringFlag(ctx, 'password');
  const fromStdin = ctx.flags.has('password-stdin');
  if (flag !== undefined && fromStdin) throw new UsageError('give --password or --password-stdin, not both');
  if (flag === undefined && !fromStdin) throw new UsageError('a password is required: --password or --password-stdin');
  const password = fromStdin ? ctx.io.stdin().replace(/\r?\n$/, '') : flag!;
  checkPassword(password);
  return password;
}

function quotaOf(ctx: CommandContext): number | null {
  const q = stringFlag(ctx, 'quota');
  if (q === undefined) return null;
  const n = Number(q);
  if (!/^[0-9]+$/.test(q) || !Number.isSafeInteger(n))
    throw new UsageError(`not a quota: ${JSON.stringify(q)} (expected a whole number of bytes)`);
  return n;
}

export const userCommands: CommandGroup = {
  name: 'user',
  commands: {
    add: {
      params: ['<address>'],
      flags: { quota: 'string', 'create-tenant': 'boolean', ...PASSWORD_FLAGS },
      options: `[--quota BYTES] [--create-tenant] ${PASSWORD_OPTIONS}`,
      summary: 'add an account (with INBOX, Drafts, Sent, Trash, Junk, Archive)',
      async run(ctx, [address]) {
        const a = parseAddress(address!);
        const db = await ctx.db();
        const createTenant = ctx.flags.has('create-tenant');
        await checkNewUser(db, a.address, { createTenant });
        const quotaBytes = quotaOf(ctx);
        const acc = await addUser(db, a.address, passwordOf(ctx), { createTenant, quotaBytes });
        ctx.io.out(`user ${acc.username} added (account ${acc.accountId})`);
      },
    },
    remove: {
      params: ['<address>'],
      flags: { force: 'boolean' },
      options: '[--force]',
      summary: 'remove an account; --force when it has messages',
      async run(ctx, [address]) {
        const a = parseAddress(address!);
        const removal = await removeUser(await ctx.db(), a.address, { force: ctx.flags.has('force') });
        ctx.io.out(`user ${a.address} removed${removed(removal, false)}`);
      },
    },
    list: {
      params: ['[<domain>]'],
      flags: { json: 'boolean' },
      options: '[--json]',
      summary: 'list accounts: address, active|disabled, messages, bytes used',
      async run(ctx, [domain]) {
        const db = await ctx.db();
        await eachPage(
          (after) => listUsers(db, { ...(domain !== undefined && { domain }) }, { after }),
          (u) => u.address,
          (rows) =>
            printRows(
              ctx,
              rows.map(({ address, disabled, messages, usedBytes }): Pick<UserInfo, 'address' | 'disabled' | 'messages' | 'usedBytes'> => ({
                address,
                disabled,
                messages,
                usedBytes,
              })),
              [(u) => u.address, (u) => (u.disabled ? 'disabled' : 'active'), (u) => u.messages, (u) => u.usedBytes],
            ),
        );
      },
    },
    passwd: {
      params: ['<address>'],
      flags: PASSWORD_FLAGS,
      options: PASSWORD_OPTIONS,
      summary: "set an account's password",
      async run(ctx, [address]) {
        const db = await ctx.db();
        const user = await getUser(db, address!);
        await setPassword(db, user.address, passwordOf(ctx));
        ctx.io.out(`password of ${user.address} changed`);
      },
    },
    disable: {
      params: ['<address>'],
      summary: "refuse the account's logins (its mail is kept)",
      async run(ctx, [address]) {
        const change = await setDisabled(await ctx.db(), address!, true);
        ctx.io.out(change.changed ? `user ${change.address} disabled` : `user ${change.address} was disabled already`);
      },
    },
    enable: {
      params: ['<address>'],
      summary: 'let a disabled account log in again',
      async run(ctx, [address]) {
        const change = await setDisabled(await ctx.db(), address!, false);
        ctx.io.out(change.changed ? `user ${change.address} enabled` : `user ${change.address} was enabled already`);
      },
    },
  },
};
