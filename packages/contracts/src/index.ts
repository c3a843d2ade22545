export * from './classification.js';
export * from './common.js';
export * from './diagnostics.js';
export * from './inbound-message.js';
export * from './outbound-message.js';
export * from './queues.js';
export * from './taxonomy.js';
export * from './ticket-request.js';
