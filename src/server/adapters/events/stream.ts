import type { EventBus } from "./types";

/**
 * Subscribes now (resolving once listening, so nothing published afterwards is missed) and returns the
 * channel's events as an async iterable that ends when `signal` aborts (the subscriber left). A consumer
 * slower than the publishers keeps only the newest `maxBuffered` events.
 */
export async function openEventStream(bus: EventBus, channel: string, signal: AbortSignal | undefined, maxBuffered = 1_000): Promise<AsyncGenerator<unknown>> {
  const queue: unknown[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = await bus.subscribe(channel, (payload) => {
    queue.push(payload);
    if (queue.length > maxBuffered) queue.shift();
    wake?.();
  });
  // Also when the stream is dropped without ever being iterated.
  const onAbort = () => {
    unsubscribe();
    wake?.();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });

  async function* iterate(): AsyncGenerator<unknown> {
    try {
      while (!signal?.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        yield queue.shift();
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      unsubscribe();
    }
  }
  return iterate();
}
