// NAMESPACE (RFC 2342): one personal namespace, "/" delimited.
import { AUTHENTICATED, type CommandHandler } from './context.js';

export const namespace: CommandHandler<'NAMESPACE'> = {
  names: ['NAMESPACE'],
  states: AUTHENTICATED,
  async run(ctx) {
    ctx.enc.untagged().raw('NAMESPACE (("" "/")) NIL NIL').crlf();
    return { text: 'NAMESPACE completed' };
  },
};
