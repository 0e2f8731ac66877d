export * from './server.js';
export * from './backend.js';
export * from './tls.js';
export * from './feed.js';
export type { EdgeSettings, EdgeLimits } from './commands/context.js';
export { edgeSettingsFromEnv } from './settings.js';
export { newEdgeId } from './session-registry.js';
