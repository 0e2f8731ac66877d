// NAMESPACE (RFC 2342): one personal namespace, "/" delimited.
import { MAILBOX_DELIMITER } from '@kimap/common';
import { AUTHENTICATED, defineCommand, noArguments } from './command.js';

export const namespace = defineCommand({
  names: ['NAMESPACE'],
  states: AUTHENTICATED,
  capabilities: ['NAMESPACE'],
  parse: noArguments,
  run(ctx) {
    ctx.enc.untagged().raw('NAMESPACE (("" ').quoted(MAILBOX_DELIMITER).raw(')) NIL NIL').crlf();
    return { text: 'NAMESPACE completed' };
  },
});
