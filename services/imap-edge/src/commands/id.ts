// ID (RFC 2971): the server says what it is; the client's fields are logged, bounded.
import type { CommandParser } from '../protocol/index.js';
import { ANY_STATE, defineCommand } from './command.js';

export const SERVER_ID: Array<[string, string]> = [
  ['name', 'kimap'],
  ['vendor', 'kimap'],
  ['support-url', 'https://github.com/kimap/kimap'],
];

export interface IdArgs {
  /** Field/value pairs in order (values may be NIL); null for `ID NIL`. */
  readonly params: Array<[field: string, value: string | null]> | null;
}

/** RFC 2971 §3.3: clients MUST NOT send more than 30 pairs. */
export const MAX_ID_PAIRS = 30;

/** `ID SP ("(" *(string SP nstring) ")" / NIL)`. Fields are accepted as astrings for lenience. */
export function parseId(p: CommandParser): IdArgs {
  p.expectSP();
  if (p.tryNil()) {
    p.expectEnd();
    return { params: null };
  }
  p.expectChar('(');
  const params: Array<[string, string | null]> = [];
  if (!p.tryChar(')')) {
    do {
      if (params.length >= MAX_ID_PAIRS) p.fail(`Too many ID parameters (max ${MAX_ID_PAIRS})`);
      const field = p.expectAstring();
      p.expectSP();
      params.push([field, p.expectNstring()]);
    } while (p.trySP());
    p.expectChar(')');
  }
  p.expectEnd();
  return { params };
}

export const id = defineCommand({
  names: ['ID'],
  states: ANY_STATE,
  capabilities: ['ID'],
  parse: parseId,
  run(ctx, cmd) {
    if (cmd.args.params) {
      const client = Object.fromEntries(
        cmd.args.params.slice(0, 10).map(([k, v]) => [k.slice(0, 30).toLowerCase(), (v ?? '').slice(0, 100)]),
      );
      ctx.log().info({ client }, 'client id');
    }
    ctx.enc
      .untagged()
      .raw('ID ')
      .list(SERVER_ID.flat(), (enc, v) => enc.string(v))
      .crlf();
    return { text: 'ID completed' };
  },
});
