import type { Deps } from "@/server/deps";
import { changesAfter, headsOf, type NumberedEvent } from "./changes";
import type { ContextEvent } from "./schema";
import { channelOf } from "./store";

/**
 * Where a follower stands in each scope: the number of the last change it has. Written as the SSE
 * event id (`global=12,repo:acme/web=40`) so a reconnect with Last-Event-ID resumes after it.
 * Neither `=` nor `,` occurs in a scope.
 */
export type Positions = Map<string, number>;

export function encodePositions(positions: Positions): string {
  return [...positions].map(([scope, seq]) => `${scope}=${seq}`).join(",");
}

/** Positions from a Last-Event-ID; scopes it does not name, or malformed parts, are left out. */
export function decodePositions(text: string | null | undefined): Positions {
  const out: Positions = new Map();
  for (const part of (text ?? "").split(",")) {
    const at = part.lastIndexOf("=");
    const seq = Number(part.slice(at + 1));
    if (at > 0 && Number.isSafeInteger(seq) && seq >= 0) out.set(part.slice(0, at), seq);
  }
  return out;
}

export type FollowItem =
  | { type: "change"; event: ContextEvent; positions: string }
  /** Listening: where the follower starts (the id to resume from even when no change comes). */
  | { type: "ready"; positions: string }
  /** Changes of the scope were pruned (older than the retention window) or the log was reset: read the scope again. */
  | { type: "reset"; scope: string; positions: string };

/**
 * The changes of `scopes` from `from` on (each scope's current head when it names none), in each
 * scope's commit order, until `signal` aborts. Listening starts before the log is read, so nothing
 * committed meanwhile is missed; live events are taken as they come when they are the next number,
 * and any hole (a late or lost notification, a large entry sent by reference) is filled from the log.
 */
export async function followScopes(deps: Deps, scopes: string[], from: Positions, signal: AbortSignal): Promise<AsyncGenerator<FollowItem>> {
  const queue: ContextEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribes = await Promise.all(
    scopes.map((scope) =>
      deps.events.subscribe(channelOf(scope), (payload) => {
        queue.push(payload as ContextEvent);
        wake?.();
      }),
    ),
  );
  const stop = () => {
    unsubscribes.forEach((u) => u());
    wake?.();
  };
  signal.addEventListener("abort", stop, { once: true });
  const heads = await headsOf(deps, scopes);
  const positions: Positions = new Map();
  const resets: string[] = [];
  for (const scope of scopes) {
    const head = heads.get(scope) ?? 0;
    const asked = from.get(scope);
    if (asked !== undefined && asked > head) resets.push(scope); // a log newer than this one's: start over at its head
    positions.set(scope, asked === undefined || asked > head ? head : asked);
  }
  const item = (event: NumberedEvent): FollowItem => {
    positions.set(event.scope, event.seq);
    return { type: "change", event, positions: encodePositions(positions) };
  };

  async function* fill(scope: string): AsyncGenerator<FollowItem> {
    for (;;) {
      const after = positions.get(scope)!;
      const rows = await changesAfter(deps, scope, after);
      if (rows.length > 0 && rows[0]!.seq > after + 1) yield { type: "reset", scope, positions: encodePositions(positions) };
      for (const row of rows) yield item(row);
      if (rows.length < 500) return;
    }
  }

  async function* run(): AsyncGenerator<FollowItem> {
    try {
      yield { type: "ready", positions: encodePositions(positions) };
      for (const scope of resets) yield { type: "reset", scope, positions: encodePositions(positions) };
      for (const scope of scopes) if (from.has(scope)) yield* fill(scope);
      while (!signal.aborted) {
        const event = queue.shift();
        if (!event) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        const at = positions.get(event.scope);
        if (at === undefined) continue;
        if (event.seq === undefined)
          yield { type: "change", event, positions: encodePositions(positions) }; // not in the log: pass it on as it is
        else if (event.seq <= at)
          continue; // already sent from the log
        else if (event.seq === at + 1 && (event.entry || event.type === "delete")) yield item(event as NumberedEvent);
        else yield* fill(event.scope);
      }
    } finally {
      signal.removeEventListener("abort", stop);
      stop();
    }
  }
  return run();
}
