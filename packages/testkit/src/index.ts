export * from './conformance-payloads.js';
export * from './meta-webhook.js';
export * from './metric-value.js';
export * from './postgres-server.js';
export * from './queue-name.js';
export * from './redis-server.js';
export * from './wait-for.js';
