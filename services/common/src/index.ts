export * from './db.js';
export * from './migrate.js';
export * from './events.js';
export * from './grpc.js';
export * from './mux.js';
export * from './config.js';
export * from './log.js';
export * from './ops.js';
