export * from './listener.js';
export * from './backend.js';
export * from './settings.js';
