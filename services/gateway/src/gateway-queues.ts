// The gateway's Redis connections by role, its producers and the operator dashboard's view
// of the pipeline queues.
import type { QueueName } from '@helpline/contracts';
import type { ServiceBase } from '@helpline/runtime';
import type { Queue } from 'bullmq';
import { createDashboardQueues } from './admin/dashboard-queues.js';
import type { GatewayConfig } from './config.js';

export function buildGatewayQueues(base: ServiceBase<GatewayConfig>) {
  // Auto-pipelining: the commands of concurrent webhook requests leave in one write instead
  // of one syscall each (measured with `npm run bench`). BullMQ defines its fifty-odd Lua
  // commands on the client it is given, and ioredis copies every defined command into each
  // automatic pipeline it builds: on an auto-pipelined connection that copying took a
  // twelfth of the gateway's CPU under load, so the queues have the base's `queues`
  // connection to themselves.
  // The send path (the send guard's claims and marks, the send rate, pacing, notice checks)
  // has a connection of its own too, auto-pipelined for the same reason: on the worker
  // connection, which BullMQ's worker shares, each of its commands was a write of its own
  // (a profile under the pipeline bench put those writes at a twentieth of the gateway's CPU).
  // Worker role: a send waits out a Redis blip rather than failing.
  const redis = {
    producer: base.redis('producer', 'producer', { enableAutoPipelining: true }),
    sends: base.redis('sends', 'worker', { enableAutoPipelining: true }),
  };
  const producers = {
    inbound: base.producer('inbound'),
    outbound: base.producer('outbound'),
    /** The menu's "check my connection". */
    diagnostics: base.producer('diagnostics'),
    /** Documents and photos for the chat's open ticket (`attach` jobs). */
    tickets: base.producer('tickets'),
    ...(base.config.ACCOUNTS_ENABLED ? { accounts: base.producer('accounts') } : {}),
  };
  // Depth of the queue the gateway consumes, read when Prometheus scrapes; the services
  // consuming `inbound` and `diagnostics` report those.
  base.gaugeQueues(['outbound']);
  // The queues connection: the board's reads fail fast while Redis is away, like the API.
  const dashboardQueues: Record<QueueName, Queue> = createDashboardQueues(base.redis('queues'), base.prefix);
  base.addResource({
    name: 'dashboard queues',
    close: () => Promise.allSettled(Object.values(dashboardQueues).map((queue) => queue.close())),
  });
  return { redis, producers, dashboardQueues };
}
