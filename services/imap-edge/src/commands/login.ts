import { ImapNo, NOT_AUTHENTICATED, type CommandContext, type CommandHandler } from './context.js';

/** Shared by LOGIN and AUTHENTICATE: checks the credentials and enters the authenticated state. */
export async function signIn(ctx: CommandContext, username: string, password: string): Promise<void> {
  const { session } = ctx;
  if (!session.tls && !ctx.settings.allowPlaintextAuth) {
    throw new ImapNo('PRIVACYREQUIRED', 'Use STARTTLS or implicit TLS before logging in');
  }
  const principal = await ctx.backend.authenticate(username, password, session.remoteAddress);
  if (!principal) {
    ctx.log().info({ user: username.slice(0, 256) }, 'login failed');
    throw new ImapNo('AUTHENTICATIONFAILED', 'Invalid credentials');
  }
  session.principal = principal;
  session.state = 'authenticated';
  ctx.log().info({ user: principal.username, account: principal.account.accountId }, 'logged in');
}

export const login: CommandHandler<'LOGIN'> = {
  names: ['LOGIN'],
  states: NOT_AUTHENTICATED,
  async run(ctx, cmd) {
    await signIn(ctx, cmd.args.username, cmd.args.password);
    return { code: 'CAPABILITY ' + ctx.capabilities().join(' '), text: 'Logged in' };
  },
};
