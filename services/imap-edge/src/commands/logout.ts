// LOGOUT (RFC 9051 6.1.3): BYE, then the tagged OK; the connection closes after it.
import { ANY_STATE, defineCommand, noArguments } from './command.js';

export const logout = defineCommand({
  names: ['LOGOUT'],
  states: ANY_STATE,
  parse: noArguments,
  run(ctx) {
    ctx.enc.status(null, 'BYE', 'Logging out');
    ctx.session.state = 'logout';
    return { text: 'LOGOUT completed' };
  },
});
