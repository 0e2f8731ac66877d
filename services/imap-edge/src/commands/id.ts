// ID (RFC 2971): the server says what it is; the client's fields are logged, bounded.
import { ANY_STATE, type CommandHandler } from './context.js';

export const SERVER_ID: Array<[string, string]> = [
  ['name', 'kimap'],
  ['vendor', 'kimap'],
  ['support-url', 'https://github.com/kimap/kimap'],
];

export const id: CommandHandler<'ID'> = {
  names: ['ID'],
  states: ANY_STATE,
  async run(ctx, cmd) {
    if (cmd.args.params) {
      const client = Object.fromEntries(cmd.args.params.slice(0, 10).map(([k, v]) => [k.slice(0, 30).toLowerCase(), (v ?? '').slice(0, 100)]));
      ctx.log().info({ client }, 'client id');
    }
    ctx.enc.untagged().raw('ID ').list(SERVER_ID.flat(), (enc, v) => enc.string(v)).crlf();
    return { text: 'ID completed' };
  },
};
