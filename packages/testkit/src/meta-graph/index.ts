export * from './fake-graph-api.js';
export * from './graph-errors.js';
