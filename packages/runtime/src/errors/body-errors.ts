import { depthMessage, MAX_JSON_DEPTH } from '@helpline/contracts';
import { HttpError } from './http-error.js';

/** A JSON body nested deeper than the one limit (contracts' MAX_JSON_DEPTH). */
export class BodyTooDeepError extends HttpError {
  constructor(limit = MAX_JSON_DEPTH) {
    super(400, 'body_too_deep', `body: ${depthMessage(limit)}`, { maxDepth: limit });
    this.name = 'BodyTooDeepError';
  }
}

/** A JSON body with a `__proto__` or `constructor.prototype` key (prototype poisoning). */
export class ForbiddenKeyError extends HttpError {
  constructor(key: '__proto__' | 'constructor.prototype') {
    super(400, 'forbidden_key', `body: the key ${key} is not allowed`, { key });
    this.name = 'ForbiddenKeyError';
  }
}
