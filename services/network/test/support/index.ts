import { setTimeout as sleep } from 'node:timers/promises';

/** TCP sockets open in this process (client side of the fakes included). */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((t) => t === 'TCPSocketWrap').length;
}

/** Waits until `check` is true, for at most `ms`; socket teardown takes a tick or two. */
export async function eventually(check: () => boolean, ms = 2_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(10);
  }
  return check();
}

/** Settles `promise` within `ms` or reports that it did not: a hang is a test failure, not a stuck run. */
export async function settlesWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ settled: boolean; value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ settled: false }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ settled: true, value }),
        (error: unknown) => ({ settled: true, error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
