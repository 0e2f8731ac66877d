// CAPABILITY (RFC 9051 6.1.1): what this session is offered now.
import { ANY_STATE, defineCommand, noArguments } from './command.js';

export const capability = defineCommand({
  names: ['CAPABILITY'],
  states: ANY_STATE,
  parse: noArguments,
  run(ctx) {
    ctx.enc
      .untagged()
      .raw('CAPABILITY ' + ctx.capabilities().join(' '))
      .crlf();
  },
});
