/** Exponential backoff with jitter for failed deliveries; a receiver's Retry-After is a floor, never shortened. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 60 * 60_000 };
/** A Retry-After beyond a day is taken as a day: the dead-letter page is the better place for it. */
const LONGEST_RETRY_AFTER_MS = 24 * 60 * 60_000;

/** The wait before the next try after `attempts` tries: base·2^(attempts−1) capped, with "equal jitter" (half fixed, half random). */
export function retryDelayMs(attempts: number, retryAfterMs: number | null, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, LONGEST_RETRY_AFTER_MS)));
}
