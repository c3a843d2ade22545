export * from './fake-socket.js';
export * from './messages.js';
