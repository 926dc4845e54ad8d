/**
 * INCR then start the window when the counter is new. Also re-arms a counter that somehow lost its
 * expiry (PTTL -1), so a window can never become permanent. Returns {count, msLeftInWindow}.
 * KEYS[1] = counter, ARGV[1] = window in ms.
 */
export const INCR_WINDOW_LUA = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** Parses the script's reply, which every Redis client hands back as a two-number array. */
export function parseIncrWindowReply(reply: unknown): { count: number; resetMs: number } {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`incrWindow: unexpected reply ${JSON.stringify(reply)}`);
  return { count: Number(reply[0]), resetMs: Number(reply[1]) };
}
