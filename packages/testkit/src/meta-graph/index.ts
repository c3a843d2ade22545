export * from './fake-graph-api.js';
export * from './graph-errors.js';
export * from './status-webhooks.js';
