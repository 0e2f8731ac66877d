export * from './server.js';
export * from './store/accounts.js';
export * from './store/addresses.js';
export * from './store/aliases.js';
export * from './store/outbox.js';
export * from './store/removal.js';
export * from './store/tenants.js';
export { startMailboxService } from './server.js';
