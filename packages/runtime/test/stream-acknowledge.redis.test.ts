import { acknowledgeStreamEntries, closeRedis, createRedisConnection, type Redis } from '@helpline/runtime';
import { redisTest as test } from '@helpline/testkit/fixtures';
import { describe, expect, onTestFinished } from 'vitest';

function connect(url: string): Redis {
  const redis = createRedisConnection(url, 'worker');
  onTestFinished(() => closeRedis(redis));
  return redis;
}

type Read = [string, [string, string[]][]][] | null;
const idsOf = (reply: Read) => (reply?.[0]?.[1] ?? []).map(([id]) => id);

describe('acknowledgeStreamEntries: several groups on one stream', () => {
  test('an entry is deleted only by the last group done with it', async ({ redis, prefix }) => {
    const client = connect(redis.url);
    const stream = `${prefix}:events`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(String(await client.xadd(stream, '*', 'event', `e${i}`)));
    await client.xgroup('CREATE', stream, 'desk', '0');
    await client.xgroup('CREATE', stream, 'report', '0');

    // The desk reads and acknowledges all four before the report has read anything.
    const deskRead = idsOf((await client.xreadgroup('GROUP', 'desk', 'd1', 'STREAMS', stream, '>')) as Read);
    expect(deskRead).toEqual(ids);
    expect(await acknowledgeStreamEntries(client, stream, 'desk', deskRead)).toEqual({ acknowledged: 4, deleted: 0 });
    expect(await client.xlen(stream)).toBe(4);

    // The report reads two, acknowledges one: only that one is free; the other is pending.
    const reportRead = idsOf(
      (await client.xreadgroup('GROUP', 'report', 'r1', 'COUNT', 2, 'STREAMS', stream, '>')) as Read,
    );
    expect(await acknowledgeStreamEntries(client, stream, 'report', [reportRead[0] as string])).toEqual({
      acknowledged: 1,
      deleted: 1,
    });
    expect(await client.xlen(stream)).toBe(3);

    // A new entry the desk acknowledges first is kept until the report has it too.
    const late = String(await client.xadd(stream, '*', 'event', 'late'));
    const deskLate = idsOf((await client.xreadgroup('GROUP', 'desk', 'd1', 'STREAMS', stream, '>')) as Read);
    expect(deskLate).toEqual([late]);
    expect((await acknowledgeStreamEntries(client, stream, 'desk', deskLate)).deleted).toBe(0);

    const rest = idsOf((await client.xreadgroup('GROUP', 'report', 'r1', 'STREAMS', stream, '>')) as Read);
    expect(rest).toEqual([ids[2], ids[3], late]);
    const done = await acknowledgeStreamEntries(client, stream, 'report', [reportRead[1] as string, ...rest]);
    expect(done).toEqual({ acknowledged: 4, deleted: 4 });
    expect(await client.xlen(stream)).toBe(0);
  });

  test('with one group it deletes what it acknowledges, as the desk always did', async ({ redis, prefix }) => {
    const client = connect(redis.url);
    const stream = `${prefix}:events`;
    await client.xadd(stream, '*', 'event', 'a');
    await client.xgroup('CREATE', stream, 'desk', '0');
    const read = idsOf((await client.xreadgroup('GROUP', 'desk', 'd1', 'STREAMS', stream, '>')) as Read);
    expect(await acknowledgeStreamEntries(client, stream, 'desk', read)).toEqual({ acknowledged: 1, deleted: 1 });
    expect(await client.xlen(stream)).toBe(0);
  });
});
