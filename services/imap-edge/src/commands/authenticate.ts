// AUTHENTICATE with SASL PLAIN (RFC 4616) and LOGIN, with SASL-IR (RFC 4959).
import { parseSaslResponse, ParseError } from '../protocol/index.js';
import { ImapBad, ImapNo, NOT_AUTHENTICATED, type CommandContext, type CommandHandler } from './context.js';
import { signIn } from './login.js';

export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'];

/** Sends a continuation with a base64 challenge and reads the client's base64 answer. */
async function challenge(ctx: CommandContext, text: string): Promise<Buffer> {
  ctx.enc.continuation(Buffer.from(text).toString('base64'));
  const answer = parseSaslResponse(await ctx.conn.readLine());
  if (answer === 'cancel') throw new ImapBad('AUTHENTICATE cancelled');
  return answer;
}

function decodePlain(data: Buffer): { authzid: string; user: string; pass: string } {
  const parts = data.toString('utf8').split('\0');
  if (parts.length !== 3) throw new ParseError('Malformed PLAIN response');
  return { authzid: parts[0]!, user: parts[1]!, pass: parts[2]! };
}

export const authenticate: CommandHandler<'AUTHENTICATE'> = {
  names: ['AUTHENTICATE'],
  states: NOT_AUTHENTICATED,
  async run(ctx, cmd) {
    const { mechanism, initialResponse } = cmd.args;
    if (!ctx.session.tls && !ctx.settings.allowPlaintextAuth) {
      throw new ImapNo('PRIVACYREQUIRED', 'Use STARTTLS or implicit TLS before authenticating');
    }
    let user: string;
    let pass: string;
    if (mechanism === 'PLAIN') {
      const data = initialResponse ?? (await challenge(ctx, ''));
      const plain = decodePlain(data);
      // Acting as another user (authzid) needs rights we do not grant.
      if (plain.authzid && plain.authzid.toLowerCase() !== plain.user.toLowerCase()) {
        throw new ImapNo('AUTHORIZATIONFAILED', 'Authorization identity not permitted');
      }
      user = plain.user;
      pass = plain.pass;
    } else if (mechanism === 'LOGIN') {
      user = (initialResponse ?? (await challenge(ctx, 'Username:'))).toString('utf8');
      pass = (await challenge(ctx, 'Password:')).toString('utf8');
    } else {
      throw new ImapNo('CANNOT', `Unsupported authentication mechanism ${mechanism}`);
    }
    await signIn(ctx, user, pass);
    return { code: 'CAPABILITY ' + ctx.capabilities().join(' '), text: 'Authenticated' };
  },
};
