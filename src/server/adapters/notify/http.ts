import { fetchWithTimeout, retryAfterSeconds, TimeoutError } from "../http-client";
import { DeliveryError } from "./types";

/** Time allowed to one HTTP delivery; well inside the drain's lease so a slow receiver cannot outlive it. */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * POSTs a body and maps the answer to the retry rules: 2xx is done; 5xx, 408, 429 and timeouts
 * are worth retrying (429's Retry-After kept); other 4xx will not get better by trying again.
 * Error messages name the status and host, never the URL (a Slack webhook URL is its secret).
 */
export async function postForDelivery(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
  const host = new URL(url).host;
  let res: Response;
  try {
    res = await fetchWithTimeout(url, { method: "POST", body, headers, signal, timeoutMs: SEND_TIMEOUT_MS, redirect: "error" });
  } catch (err) {
    if (err instanceof TimeoutError) throw new DeliveryError(`no answer from ${host} within ${SEND_TIMEOUT_MS} ms`, true);
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new DeliveryError(`could not reach ${host}${cause ? ` (${cause})` : ""}`, true);
  }
  const text = (await res.text().catch(() => "")).slice(0, 200).replace(/\s+/g, " ");
  if (res.ok) return;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  const after = retryAfterSeconds(res);
  throw new DeliveryError(`${host} answered ${res.status}${text ? `: ${text}` : ""}`, retryable, res.status, after === null ? null : after * 1000);
}
