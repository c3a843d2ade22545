export * from './fake-wisphub.js';
