export * from './session-multiplexer.js';
export * from './start-embedded-postgres.js';
