// Whether an outage looks over on its router: the router answers, and the diagnoses of a
// few of the outage's complainers no longer fail.
import { outageComplainersKey } from '@helpline/contracts';
import type { CustomerDirectory } from '@helpline/directory';
import type { Logger, Redis } from '@helpline/runtime';
import { type RouterRegistry, UnknownRouterError } from '../diagnosis/router-registry.js';
import { type CheckSettings, runChecks } from '../diagnosis/run-checks.js';
import { RouterTrapError } from '../routeros/errors.js';
import type { RouterClient } from '../routeros/router-client.js';
import { failureOf } from './outage-watch.js';

/** Complainers diagnosed by one probe: enough to see lines still down, few enough to stay light. */
const SAMPLE = 3;

export interface OutageCheckDeps {
  redis: Redis;
  /** The BullMQ prefix the accounts service publishes outage complainers under. */
  prefix: string;
  routers: RouterRegistry;
  directory: CustomerDirectory;
  settings: CheckSettings;
  clock: () => Date;
  logger: Logger;
}

/** True when the router answers and none of the sampled complainers' lines still fails. */
export async function outageLooksOver(deps: OutageCheckDeps, router: RouterClient, outageId: string): Promise<boolean> {
  return (await routerAnswers(router)) && (await linesPass(deps, router, outageId));
}

async function routerAnswers(router: RouterClient): Promise<boolean> {
  try {
    await router.run({ kind: 'interfaces' });
    return true;
  } catch (error) {
    // A trap is the router answering.
    return error instanceof RouterTrapError;
  }
}

/** Diagnoses a few complainers on the router; false when one of them still fails. */
async function linesPass(deps: OutageCheckDeps, router: RouterClient, outageId: string): Promise<boolean> {
  const phones = await deps.redis.srandmember(outageComplainersKey(deps.prefix, outageId), SAMPLE);
  for (const phone of phones) {
    const [customer, ...others] = await deps.directory.find({ phone });
    if (!customer || others.length > 0) continue;
    try {
      if (deps.routers.forCustomer(customer) !== router) continue;
    } catch (error) {
      if (error instanceof UnknownRouterError) continue;
      throw error;
    }
    const report = await runChecks({
      correlationId: `probe-${outageId}`,
      customer,
      router,
      settings: deps.settings,
      logger: deps.logger,
      clock: deps.clock,
    });
    if (failureOf(report) !== undefined) return false;
  }
  return true;
}
