import { ANY_STATE, type CommandHandler } from './context.js';

export const capability: CommandHandler<'CAPABILITY'> = {
  names: ['CAPABILITY'],
  states: ANY_STATE,
  async run(ctx) {
    ctx.enc.untagged().raw('CAPABILITY ' + ctx.capabilities().join(' ')).crlf();
  },
};
