/**
 * INCRBY then start the window when the counter is new. Also re-arms a counter that somehow lost its
 * expiry (PTTL -1), so a window can never become permanent. Returns {count, msLeftInWindow}.
 * KEYS[1] = counter, ARGV[1] = window in ms, ARGV[2] = increment (≥ 1).
 */
export const INCR_WINDOW_LUA = `
local by = tonumber(ARGV[2])
local count = redis.call('INCRBY', KEYS[1], by)
local ttl = redis.call('PTTL', KEYS[1])
if count == by or ttl < 0 then
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

/** Redis keys of an index: members in byte order (all scores 0) and their expiry times in ms. */
export function indexKeys(index: string): [lex: string, exp: string] {
  return [`${index}#lex`, `${index}#exp`];
}

// Shared Lua: the server's clock in ms, and a bounded prune of expired members (index upkeep on
// each touch; the records themselves expire by PEXPIRE, never by this).
const LUA_PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function prune(lex, exp)
  local dead = redis.call('ZRANGEBYSCORE', exp, '-inf', now, 'LIMIT', 0, 200)
  if #dead > 0 then
    redis.call('ZREM', lex, unpack(dead))
    redis.call('ZREM', exp, unpack(dead))
  end
end
`;

/**
 * A versioned record is a hash {v: version, d: value} with a PX expiry.
 * KEYS = record, then (lex, exp) per index. ARGV = value, ttlMs, ifVersion ('' for none), then (member, extend '1'|'0') per index.
 * Returns {written 1|0, version now stored, previous version (0 = none), previous value or nil}.
 */
export const SET_VERSIONED_LUA = `${LUA_PRELUDE}
local cur = redis.call('HMGET', KEYS[1], 'v', 'd')
local version = tonumber(cur[1]) or 0
if not cur[2] then version = 0 end
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= version then
  return {0, version, version, cur[2]}
end
local ttl = tonumber(ARGV[2])
local expires = now + ttl
redis.call('HSET', KEYS[1], 'v', version + 1, 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
for i = 1, (#KEYS - 1) / 2 do
  local lex, exp = KEYS[i * 2], KEYS[i * 2 + 1]
  local member, extend = ARGV[2 + i * 2], ARGV[3 + i * 2]
  prune(lex, exp)
  local score = expires
  if extend == '1' then
    local old = tonumber(redis.call('ZSCORE', exp, member))
    if old and old > score then score = old end
  end
  redis.call('ZADD', lex, 0, member)
  redis.call('ZADD', exp, score, member)
  local need = score - now
  if redis.call('PTTL', exp) < need then
    redis.call('PEXPIRE', lex, need)
    redis.call('PEXPIRE', exp, need)
  end
end
return {1, version + 1, version, cur[2]}
`;

/** KEYS = record, then (lex, exp) per index. ARGV = member per index. Returns {previous version (0 = none), previous value or nil}. */
export const DEL_VERSIONED_LUA = `
local cur = redis.call('HMGET', KEYS[1], 'v', 'd')
redis.call('DEL', KEYS[1])
for i = 1, (#KEYS - 1) / 2 do
  redis.call('ZREM', KEYS[i * 2], ARGV[i])
  redis.call('ZREM', KEYS[i * 2 + 1], ARGV[i])
end
if not cur[2] then return {0, false} end
return {tonumber(cur[1]) or 0, cur[2]}
`;

/** KEYS = lex, exp. ARGV = min, max (ZRANGEBYLEX bounds), limit. Live members only, in byte order. */
export const INDEX_RANGE_LUA = `${LUA_PRELUDE}
prune(KEYS[1], KEYS[2])
local out, min, limit = {}, ARGV[1], tonumber(ARGV[3])
while #out < limit do
  local batch = redis.call('ZRANGEBYLEX', KEYS[1], min, ARGV[2], 'LIMIT', 0, limit - #out)
  if #batch == 0 then break end
  for _, m in ipairs(batch) do
    local s = tonumber(redis.call('ZSCORE', KEYS[2], m))
    if s and s > now then out[#out + 1] = m end
  end
  min = '(' .. batch[#batch]
end
return out
`;

/** KEYS = lex, exp. The number of live members. */
export const INDEX_COUNT_LUA = `${LUA_PRELUDE}
prune(KEYS[1], KEYS[2])
return redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')
`;

/** KEYS = key. ARGV = value, ttlMs. Sets the value when absent or equal (renewing the TTL); returns what the key holds. */
export const CLAIM_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

/**
 * A lease pool on an index's keys. KEYS = lex, exp. ARGV = member, limit, ttlMs.
 * Returns {taken 1|0, live leases after the call}. Expired leases are uncounted whether or not pruned yet.
 */
export const CLAIM_LEASE_LUA = `${LUA_PRELUDE}
local lex, exp = KEYS[1], KEYS[2]
local member, limit, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
prune(lex, exp)
local held = redis.call('ZCOUNT', exp, '(' .. now, '+inf')
local mine = tonumber(redis.call('ZSCORE', exp, member))
if not mine or mine <= now then
  if held >= limit then return {0, held} end
  held = held + 1
end
redis.call('ZADD', lex, 0, member)
redis.call('ZADD', exp, now + ttl, member)
if redis.call('PTTL', exp) < ttl then
  redis.call('PEXPIRE', lex, ttl)
  redis.call('PEXPIRE', exp, ttl)
end
return {1, held}
`;

/** KEYS = lex, exp. ARGV = member. Returns 1 when it held a live lease. */
export const RELEASE_LEASE_LUA = `${LUA_PRELUDE}
local score = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if score and score > now then return 1 end
return 0
`;

/** A lease pool's limit and a lease's length are positive whole numbers (every store refuses others alike). */
export function assertLeaseOpts(opts: { limit: number; ttlMs: number }): void {
  for (const [name, n] of [
    ["limit", opts.limit],
    ["ttlMs", opts.ttlMs],
  ] as const) {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  }
}

/** Parses CLAIM_LEASE_LUA's reply. */
export function parseClaimLeaseReply(reply: unknown): { taken: boolean; held: number } {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`claimLease: unexpected reply ${JSON.stringify(reply)}`);
  return { taken: Number(reply[0]) === 1, held: Number(reply[1]) };
}

/** ZRANGEBYLEX bounds for members starting with `prefix`, after `after` (exclusive). */
export function lexBounds(prefix = "", after?: string): [min: string, max: string] {
  const min = after !== undefined && after >= prefix ? `(${after}` : `[${prefix}`;
  // U+FFFF encodes as bytes EF BF BF in UTF-8, above every byte sequence a printable prefix continues with
  const max = prefix === "" ? "+" : `[${prefix}\uffff`;
  return [min, max];
}

export function versionedOf(version: unknown, value: unknown): { version: number; value: string } | null {
  return value === null || value === undefined || value === false ? null : { version: Number(version), value: String(value) };
}

/** Parses SET_VERSIONED_LUA's reply. */
export function parseSetVersionedReply(reply: unknown): { written: boolean; version: number; previous: { version: number; value: string } | null } {
  if (!Array.isArray(reply) || reply.length < 3) throw new Error(`setVersioned: unexpected reply ${JSON.stringify(reply)}`);
  return { written: Number(reply[0]) === 1, version: Number(reply[1]), previous: versionedOf(reply[2], reply[3]) };
}

/** Parses DEL_VERSIONED_LUA's reply. */
export function parseDelVersionedReply(reply: unknown): { version: number; value: string } | null {
  if (!Array.isArray(reply) || reply.length < 1) throw new Error(`delVersioned: unexpected reply ${JSON.stringify(reply)}`);
  return versionedOf(reply[0], reply[1]);
}
