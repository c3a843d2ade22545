export * from './fake-twilio.js';
export * from './twilio-signing.js';
