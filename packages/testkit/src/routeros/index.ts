export * from './fake-router.js';
export * from './wire.js';
