/**
 * fetch with a deadline, for adapters of outside HTTP APIs: the caller's signal and the adapter's own
 * timeout both abort the request, and a timeout surfaces as TimeoutError rather than a bare AbortError.
 */
export class TimeoutError extends Error {
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer from ${new URL(url).host} within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export async function fetchWithTimeout(url: string, init: RequestInit & { timeoutMs: number; signal?: AbortSignal; fetchImpl?: FetchLike }): Promise<Response> {
  const { timeoutMs, signal, fetchImpl = fetch, ...rest } = init;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    return await fetchImpl(url, { ...rest, signal: combined });
  } catch (err) {
    if (timeout.aborted) throw new TimeoutError(url, timeoutMs);
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
    throw err;
  }
}

/** The body as JSON, or null when it is not JSON (an HTML error page, an empty body). */
export async function jsonOrNull(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Retry-After in seconds (delta or HTTP date), or null. */
export function retryAfterSeconds(res: Response, now = Date.now()): number | null {
  const value = res.headers.get("retry-after");
  if (!value) return null;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, Math.round(n));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - now) / 1000));
}
