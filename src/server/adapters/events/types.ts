/**
 * Fan-out of small events to every app instance (live updates of the shared context). Two
 * implementations: Postgres LISTEN/NOTIFY across processes, and in-process for one instance.
 * Delivery is best effort: a subscriber that is disconnected when an event is published misses it.
 */
export type EventBusKind = "postgres" | "memory";

/** NOTIFY payloads are capped at 8,000 bytes; the envelope takes a little of it. */
export const MAX_EVENT_BYTES = 7_500;

export interface EventBus {
  readonly kind: EventBusKind;
  /** Delivers `payload` (JSON, at most MAX_EVENT_BYTES serialized) to the channel's subscribers in every process. */
  publish(channel: string, payload: unknown): Promise<void>;
  /** Resolves once listening (events published after that are delivered); returns the unsubscribe function. */
  subscribe(channel: string, listener: (payload: unknown) => void): Promise<() => void>;
  /** Releases connections. */
  close(): Promise<void>;
}

let sequence = 0;
const origin = Math.random().toString(36).slice(2, 10);

/**
 * The JSON text of a payload, refused when over the limit so both implementations behave alike. A
 * per-process sequence makes every text unique: Postgres folds identical notifications sent together.
 */
export function encodeEvent(channel: string, payload: unknown): string {
  const text = JSON.stringify({ c: channel, d: payload, n: `${origin}.${++sequence}` });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_EVENT_BYTES) throw new RangeError(`Event on ${channel} is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}.`);
  return text;
}

export function decodeEvent(text: string): { channel: string; payload: unknown } | null {
  try {
    const parsed = JSON.parse(text) as { c?: unknown; d?: unknown };
    return typeof parsed.c === "string" ? { channel: parsed.c, payload: parsed.d } : null;
  } catch {
    return null;
  }
}

/** A listener that throws must not take the bus (or the process) down with it. */
export function guarded(listener: (payload: unknown) => void): (payload: unknown) => void {
  return (payload) => {
    try {
      listener(payload);
    } catch (err) {
      console.warn(`[events] a listener failed: ${(err as Error).message}`);
    }
  };
}
