export * from './server.js';
export * from './store/accounts.js';
export * from './store/outbox.js';
export { startMailboxService } from './server.js';
