// LOGIN (RFC 9051 6.2.3), and the sign-in it shares with AUTHENTICATE.
import { AccountDisabledError, BackendError, LoginThrottledError, type Principal } from '../backend.js';
import type { LoginMechanism } from '../metrics.js';
import { decodeUtf8, type CommandParser } from '../protocol/index.js';
import { defineCommand, ImapNo, NOT_AUTHENTICATED } from './command.js';
import type { CommandContext } from './context.js';

export interface LoginArgs {
  readonly username: string;
  /** UTF-8 decoded; falls back to latin1 if the bytes are not UTF-8 (legacy clients). */
  readonly password: string;
  /** The password exactly as sent. */
  readonly passwordBytes: Buffer;
}

/** `LOGIN SP userid SP password` (both astrings). */
export function parseLogin(p: CommandParser): LoginArgs {
  p.expectSP();
  const username = p.expectAstring();
  p.expectSP();
  const passwordBytes = p.expectAstringBytes();
  p.expectEnd();
  let password: string;
  try {
    password = decodeUtf8(passwordBytes);
  } catch {
    password = passwordBytes.toString('latin1');
  }
  return { username, password, passwordBytes: Buffer.from(passwordBytes) };
}

/**
 * Shared by LOGIN and AUTHENTICATE: checks the credentials (the mailbox
 * service delays or refuses clients that failed too often), registers the
 * session under the connection limits, and enters the authenticated state.
 */
export async function signIn(ctx: CommandContext, username: string, password: string, mechanism: LoginMechanism): Promise<void> {
  const { session, metrics } = ctx;
  if (!session.tls && !ctx.settings.allowPlaintextAuth) {
    metrics?.login(mechanism, 'tls_required');
    throw new ImapNo('PRIVACYREQUIRED', 'Use STARTTLS or implicit TLS before logging in');
  }
  const user = username.slice(0, 256);
  const started = Date.now();
  let principal: Principal | undefined;
  let disabled = false;
  try {
    principal = await ctx.backend.authenticate(username, password, session.remoteAddress);
  } catch (err) {
    if (err instanceof LoginThrottledError) {
      metrics?.login(mechanism, 'throttled');
      ctx.log().info({ user, remote: session.remoteAddress }, 'login refused: too many failures');
      ctx.conn.loginFailed();
      throw new ImapNo('UNAVAILABLE', 'Too many failed logins, try again later');
    }
    if (!(err instanceof AccountDisabledError)) {
      metrics?.login(mechanism, 'error');
      throw err;
    }
    disabled = true;
  }
  if (!principal) {
    // A disabled account is answered as wrong credentials are; only the count tells them apart.
    metrics?.login(mechanism, disabled ? 'disabled' : 'bad_credentials');
    ctx.log().info({ user, remote: session.remoteAddress }, 'login failed');
    ctx.conn.loginFailed();
    throw new ImapNo('AUTHENTICATIONFAILED', 'Invalid credentials');
  }
  const { sessions } = ctx;
  if (sessions) {
    try {
      await sessions.open(principal, session.id, session.remoteAddress);
    } catch (err) {
      if (err instanceof BackendError && err.imapCode === 'LIMIT') {
        metrics?.login(mechanism, 'limit');
        metrics?.limitHit('account_connections');
        ctx.log().info({ user: principal.username, remote: session.remoteAddress, reason: err.message }, 'login refused: connection limit');
      } else {
        metrics?.login(mechanism, 'error');
      }
      throw err;
    }
    // Gone while registering: the connection's close did not know of the session yet.
    if (ctx.conn.isClosed()) {
      sessions.close(principal, session.id);
      throw new Error('connection closed');
    }
  }
  // Disabled while the check was under way: the event rang before this session listened for it.
  if (ctx.accounts.changedSince(principal.account.accountId, started) && !(await ctx.accounts.active(principal))) {
    sessions?.close(principal, session.id);
    metrics?.login(mechanism, 'disabled');
    ctx.log().info({ user, remote: session.remoteAddress }, 'login failed: account disabled');
    ctx.conn.loginFailed();
    throw new ImapNo('AUTHENTICATIONFAILED', 'Invalid credentials');
  }
  session.principal = principal;
  session.state = 'authenticated';
  metrics?.login(mechanism, 'success');
  ctx.log().info({ user: principal.username, account: principal.account.accountId }, 'logged in');
}

export const login = defineCommand({
  names: ['LOGIN'],
  states: NOT_AUTHENTICATED,
  parse: parseLogin,
  async run(ctx, cmd) {
    await signIn(ctx, cmd.args.username, cmd.args.password, 'login');
    return { code: 'CAPABILITY ' + ctx.capabilities().join(' '), text: 'Logged in' };
  },
});
