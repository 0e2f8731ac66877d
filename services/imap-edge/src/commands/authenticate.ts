// AUTHENTICATE with SASL PLAIN (RFC 4616) and LOGIN, with SASL-IR (RFC 4959).
import { ParseError, type CommandParser } from '../protocol/index.js';
import { defineCommand, ImapBad, ImapNo, NOT_AUTHENTICATED } from './command.js';
import type { CommandContext } from './context.js';
import { signIn } from './login.js';

export const SASL_MECHANISMS = ['PLAIN', 'LOGIN'];

export interface AuthenticateArgs {
  /** Upper-cased SASL mechanism name, e.g. `PLAIN`. */
  readonly mechanism: string;
  /** SASL-IR initial response, base64-decoded; `=` gives an empty buffer. Absent if not sent. */
  readonly initialResponse?: Buffer;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 decode (Buffer.from(…, 'base64') silently skips garbage). */
export function decodeBase64Strict(s: string): Buffer {
  if (!BASE64_RE.test(s)) throw new ParseError('Invalid base64');
  return Buffer.from(s, 'base64');
}

/** `AUTHENTICATE SP auth-type [SP (base64 / "=")]`. */
export function parseAuthenticate(p: CommandParser): AuthenticateArgs {
  p.expectSP();
  const mechanism = p.expectAtom().toUpperCase();
  if (!p.trySP()) {
    p.expectEnd();
    return { mechanism };
  }
  const ir = p.expectAtom();
  p.expectEnd();
  return { mechanism, initialResponse: ir === '=' ? Buffer.alloc(0) : decodeBase64Strict(ir) };
}

/** A client's response line during AUTHENTICATE: base64 data, or `*` to cancel. */
export function parseSaslResponse(line: Buffer): Buffer | 'cancel' {
  const s = line.toString('latin1');
  if (s === '*') return 'cancel';
  return decodeBase64Strict(s);
}

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

export const authenticate = defineCommand({
  names: ['AUTHENTICATE'],
  states: NOT_AUTHENTICATED,
  capabilities: ['SASL-IR'],
  interactive: true,
  parse: parseAuthenticate,
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
        ctx.metrics?.login('plain', 'bad_credentials');
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
    await signIn(ctx, user, pass, mechanism === 'PLAIN' ? 'plain' : 'login-sasl');
    return { code: 'CAPABILITY ' + ctx.capabilities().join(' '), text: 'Authenticated' };
  },
});
