import { runScript } from './lua-script.js';
import type { RedisQueueKeys } from './redis-address.js';
import type { RedisClient } from './redis-client.js';

/**
 * Declares a worker dead for `ARGV[1]` (the adopter) unless its heartbeat (KEYS[1]) exists: takes the
 * adoption lock (KEYS[2], TTL `ARGV[2]` ms) unless another adopter holds it. Returns 0 when the worker
 * is alive, else the lock's holder (`ARGV[1]` when it was taken here). One step, so it cannot
 * interleave with the worker's own heartbeat script, which refuses to beat under the lock: either the
 * worker beat first and stays, or the lock came first and the worker stops at its next heartbeat.
 */
const DECLARE_DEAD = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local holder = redis.call('GET', KEYS[2])
if holder then return holder end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

/**
 * Who adopts `worker`: `undefined` while it lives (its heartbeat exists), else the worker holding the
 * adoption lock on it — `adopter` itself when it took the lock now or earlier.
 */
export async function declareDead(
  commands: RedisClient,
  keys: RedisQueueKeys,
  worker: string,
  adopter: string,
  lockMs: number,
): Promise<string | undefined> {
  const holder = await runScript(
    commands,
    DECLARE_DEAD,
    [keys.heartbeat(worker), keys.adopting(worker)],
    [adopter, String(lockMs)],
  );
  return typeof holder === 'string' ? holder : undefined;
}
