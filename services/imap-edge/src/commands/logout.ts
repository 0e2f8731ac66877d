import { ANY_STATE, type CommandHandler } from './context.js';

export const logout: CommandHandler<'LOGOUT'> = {
  names: ['LOGOUT'],
  states: ANY_STATE,
  async run(ctx) {
    ctx.enc.status(null, 'BYE', 'Logging out');
    ctx.session.state = 'logout';
    return { text: 'LOGOUT completed' };
  },
};
