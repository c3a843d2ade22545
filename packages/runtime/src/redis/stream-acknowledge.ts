import type { Redis } from 'ioredis';
import { luaScript } from './lua-script.js';

// KEYS[1] the stream; ARGV[1] the group acknowledging; ARGV[2..] the entry ids.
// XACK for the group, then XDEL of each entry no other group still needs: an entry is
// needed by a group that has not been handed it yet (id above its last-delivered-id) or
// holds it pending. Returns {acknowledged, deleted}.
const ACKNOWLEDGE = luaScript(`
local stream = KEYS[1]
local group = ARGV[1]
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
local acked = redis.call('XACK', stream, group, unpack(ids))
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function at_most(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  if am ~= bm then return am < bm end
  return as <= bs
end
local others = {}
for _, g in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
  local name, last
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
  end
  if name ~= group then others[#others + 1] = { name, last } end
end
local free = {}
for _, id in ipairs(ids) do
  local needed = false
  for _, other in ipairs(others) do
    if not at_most(id, other[2]) or #redis.call('XPENDING', stream, other[1], id, id, 1) > 0 then
      needed = true
      break
    end
  end
  if not needed then free[#free + 1] = id end
end
if #free > 0 then redis.call('XDEL', stream, unpack(free)) end
return { acked, #free }`);

/**
 * Acknowledges stream entries for one consumer group and deletes those every other group
 * is done with too. Several groups read the conversation event stream (the desk's archive,
 * the accounts service's broadcast report); a plain XDEL after one group's XACK would take
 * entries from under the others. The last group to finish with an entry deletes it, so the
 * stream still holds only what some group has not processed.
 */
export async function acknowledgeStreamEntries(
  redis: Redis,
  stream: string,
  group: string,
  ids: readonly string[],
): Promise<{ acknowledged: number; deleted: number }> {
  if (ids.length === 0) return { acknowledged: 0, deleted: 0 };
  const [acknowledged, deleted] = (await ACKNOWLEDGE.run(redis, [stream], [group, ...ids])) as [number, number];
  return { acknowledged, deleted };
}
