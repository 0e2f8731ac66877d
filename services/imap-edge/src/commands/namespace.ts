// NAMESPACE (RFC 2342): one personal namespace, "/" delimited.
import { AUTHENTICATED, defineCommand, noArguments } from './command.js';

export const namespace = defineCommand({
  names: ['NAMESPACE'],
  states: AUTHENTICATED,
  capabilities: ['NAMESPACE'],
  parse: noArguments,
  async run(ctx) {
    ctx.enc.untagged().raw('NAMESPACE (("" "/")) NIL NIL').crlf();
    return { text: 'NAMESPACE completed' };
  },
});
