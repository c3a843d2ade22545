import type { DiagnosticCheck } from '@helpline/contracts';
import type { Logger } from 'pino';
import type { CustomerRecord } from '../../customers/customer-directory.js';
import { isRouterError, UnsafeValueError } from '../../routeros/errors.js';
import type { RouterClient } from '../../routeros/router-client.js';
import type { Cidr } from '../../routeros/safe-commands.js';

export interface CheckSettings {
  pingCount: number;
  pingIntervalMs: number;
  prefixes: readonly Cidr[];
  /** Share of the plan's download limit above which the line counts as saturated. */
  queueSaturation: number;
  /** Average round trip above which the link counts as slow, in ms. */
  slowRttMs: number;
}

/** What every check reads; `sessionAddress` is left by the PPPoE check for the ping. */
export interface CheckContext {
  customer: CustomerRecord;
  router: RouterClient | undefined;
  /** Why there is no router for this customer (said in the finding), when `router` is undefined. */
  routerProblem?: { finding: string; errorKind: string };
  settings: CheckSettings;
  logger: Logger;
  sessionAddress?: string;
}

export type Finding = Omit<DiagnosticCheck, 'name'>;

/** One step of a diagnosis: its name in the report, and how it finds. */
export interface Check {
  name: DiagnosticCheck['name'];
  run(context: CheckContext): Promise<Finding> | Finding;
}

/** Error findings never carry the router's error text (it can hold addresses); the kind is enough. */
export function routerFailure(error: unknown): Finding {
  if (error instanceof UnsafeValueError) {
    return { result: 'error', finding: `the customer's record cannot be checked safely (${error.field})` };
  }
  const kind = isRouterError(error) ? error.kind : 'error';
  return { result: 'error', finding: `could not ask the router (${kind})`, data: { errorKind: kind } };
}
