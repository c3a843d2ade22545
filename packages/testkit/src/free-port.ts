import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port the kernel says is free right now on 127.0.0.1, for a server a test starts next. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}
