/** Runs async work one piece after another, in the order asked; a failure does not stop the queue. */
export interface SerialQueue {
  run<R>(work: () => Promise<R>): Promise<R>;
  /** Settles once the work asked so far has finished. */
  idle(): Promise<unknown>;
}

export function createSerialQueue(): SerialQueue {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    run(work) {
      const next = chain.then(work, work);
      chain = next.catch(() => {});
      return next;
    },
    idle: () => chain,
  };
}
