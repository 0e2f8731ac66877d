// NAMESPACE (RFC 2342): the personal namespace, "/" delimited, and the other
// users' namespace of mailboxes shared through ACL grants (RFC 4314).
import { MAILBOX_DELIMITER } from '@kimap/common';
import { AUTHENTICATED, defineCommand, noArguments } from './command.js';
import { SHARED_NAMESPACE } from './names.js';

export const namespace = defineCommand({
  names: ['NAMESPACE'],
  states: AUTHENTICATED,
  capabilities: ['NAMESPACE'],
  parse: noArguments,
  run(ctx) {
    ctx.enc
      .untagged()
      .raw('NAMESPACE (("" ')
      .quoted(MAILBOX_DELIMITER)
      .raw(')) ((')
      .quoted(SHARED_NAMESPACE + MAILBOX_DELIMITER)
      .sp()
      .quoted(MAILBOX_DELIMITER)
      .raw(')) NIL')
      .crlf();
    return { text: 'NAMESPACE completed' };
  },
});
