import { retryAfterSeconds, type FetchLike } from "./http-client";

/**
 * A fetch that retries what is worth retrying — 408, 429, 5xx and network failures — with
 * exponential backoff and full jitter, honouring `retry-after-ms` / `Retry-After` (capped, so a
 * provider asking for an hour cannot stall a run). Other 4xx come back at once. Given to the OpenAI
 * and Pinecone SDKs as their `fetch`, with their own retries off, so one policy applies to both.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** First backoff step in ms (default 500); doubles each retry. */
  baseDelayMs?: number;
  /** Longest single wait in ms, also the cap on Retry-After (default 30,000). */
  maxDelayMs?: number;
  /** Deadline of one attempt in ms (default 60,000); a timed-out attempt is retried like a network failure. */
  attemptTimeoutMs?: number;
  /** Called before each wait, e.g. for logging or tests. */
  onRetry?: (info: { attempt: number; delayMs: number; status: number | null; url: string }) => void;
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

function waitHint(res: Response): number | null {
  const ms = Number(res.headers.get("retry-after-ms"));
  if (res.headers.get("retry-after-ms") !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const s = retryAfterSeconds(res);
  return s === null ? null : s * 1000;
}

function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function retryingFetch(policy: RetryPolicy = {}, base: FetchLike = (input, init) => fetch(input, init)): typeof fetch {
  const maxRetries = policy.maxRetries ?? 5;
  const baseDelay = policy.baseDelayMs ?? 500;
  const maxDelay = policy.maxDelayMs ?? 30_000;
  const attemptTimeout = policy.attemptTimeoutMs ?? 60_000;
  const backoff = (attempt: number) => Math.random() * Math.min(maxDelay, baseDelay * 2 ** attempt);

  const retrying = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof input !== "string" && !(input instanceof URL)) return fetch(input, init); // a Request's body cannot be replayed
    const url = input.toString();
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      const attemptSignal = AbortSignal.timeout(attemptTimeout);
      try {
        res = await base(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, attemptSignal]) : attemptSignal });
      } catch (err) {
        if (init?.signal?.aborted || attempt >= maxRetries) throw err;
        const delayMs = backoff(attempt);
        policy.onRetry?.({ attempt: attempt + 1, delayMs, status: null, url });
        await sleep(delayMs, init?.signal);
        continue;
      }
      if (!RETRYABLE_STATUS(res.status) || attempt >= maxRetries) return res;
      const hint = waitHint(res);
      const delayMs = hint === null ? backoff(attempt) : Math.min(maxDelay, hint);
      await res.body?.cancel().catch(() => {});
      policy.onRetry?.({ attempt: attempt + 1, delayMs, status: res.status, url });
      await sleep(delayMs, init?.signal);
    }
  };
  return retrying as typeof fetch;
}
