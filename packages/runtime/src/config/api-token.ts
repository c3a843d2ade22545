import { z } from 'zod';

/** The one rule for the operator token of every service and of `npm start`'s generated one. */
export const API_TOKEN_MIN_LENGTH = 16;

/** `API_TOKEN`: optional (operator routes answer 503 while unset), never shorter than the rule. */
export function envApiToken() {
  return z.string().min(API_TOKEN_MIN_LENGTH, `expected at least ${API_TOKEN_MIN_LENGTH} characters`).optional();
}
