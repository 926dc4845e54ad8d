import { hash } from "node:crypto";
import type { Deps } from "@/server/deps";
import { changesAfter, headsOf, type NumberedEvent } from "./changes";
import type { ContextEvent } from "./schema";
import { channelOf } from "./store";

/**
 * Where a follower stands in each scope: the number of the last change it has. Sent as the SSE event
 * id, so a reconnect with Last-Event-ID resumes after it.
 */
export type Positions = Map<string, number>;

/**
 * The event id of a stream: every scope's position, in base 36, in the code-unit order of the stream's
 * scopes, after a tag naming that list of scopes (`2~<tag>~c.0.1b`). A stream follows up to 100 scopes
 * and every frame carries its id, so the scope names are not repeated in it (they made 2.5 KB of every
 * frame); the reconnecting client asks for the same scopes anyway (an EventSource reuses its URL). An id
 * made for another list of scopes (the tag differs) cannot say where the client stood in any of them:
 * the stream resets every scope (`reset` events, the client reads them again) and follows from the heads.
 * Ids of the earlier form (`global=12,repo:acme/web=40`) are still read, by scope name.
 */
const TOKEN = "2~";

/** The tag of a list of scopes: 48 bits of its hash, whatever the order the scopes were asked in. */
function tagOf(sorted: string[]): string {
  return hash("sha256", sorted.join("\n"), "base64url").slice(0, 8);
}

/** A stream's positions and their token, kept up to date one scope at a time (a frame's id costs a join). */
export class StreamPositions {
  private readonly slot = new Map<string, number>();
  private readonly parts: string[];
  private readonly prefix: string;
  private token: string | null = null;

  constructor(
    scopes: string[],
    private readonly positions: Positions = new Map(),
  ) {
    const sorted = [...new Set(scopes)].sort();
    sorted.forEach((scope, i) => this.slot.set(scope, i));
    this.parts = sorted.map((scope) => (positions.get(scope) ?? 0).toString(36));
    this.prefix = `${TOKEN}${tagOf(sorted)}~`;
  }

  get(scope: string): number | undefined {
    return this.positions.get(scope);
  }

  set(scope: string, seq: number): void {
    this.positions.set(scope, seq);
    this.parts[this.slot.get(scope)!] = seq.toString(36);
    this.token = null;
  }

  /** The event id naming every position. */
  id(): string {
    return (this.token ??= this.prefix + this.parts.join("."));
  }
}

/**
 * Positions from a Last-Event-ID for a stream of `scopes`. Scopes an earlier-form id does not name, or
 * its malformed parts, are left out (followed from their heads); null when the id is of the current form
 * but made for another list of scopes, or malformed: it names no position this stream can trust.
 */
export function decodePositions(text: string | null | undefined, scopes: string[]): Positions | null {
  const out: Positions = new Map();
  if (!text) return out;
  if (text.startsWith(TOKEN)) {
    const sorted = [...new Set(scopes)].sort();
    const [tag, list] = text.slice(TOKEN.length).split("~");
    const seqs = list?.split(".").map((n) => (/^[0-9a-z]{1,11}$/.test(n) ? parseInt(n, 36) : NaN)) ?? [];
    if (tag !== tagOf(sorted) || seqs.length !== sorted.length || !seqs.every((n) => Number.isSafeInteger(n))) return null;
    sorted.forEach((scope, i) => out.set(scope, seqs[i]!));
    return out;
  }
  for (const part of text.split(",")) {
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
 * scope's commit order, until `signal` aborts. `from` null (an id that names no position this stream can
 * trust) resets every scope and follows it from its head. Listening starts before the log is read, so nothing
 * committed meanwhile is missed; live events are taken as they come when they are the next number,
 * and any hole (a late or lost notification, a large entry sent by reference) is filled from the log.
 */
export async function followScopes(deps: Deps, scopes: string[], from: Positions | null, signal: AbortSignal): Promise<AsyncGenerator<FollowItem>> {
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
  const start: Positions = new Map();
  const resets: string[] = [];
  for (const scope of scopes) {
    const head = heads.get(scope) ?? 0;
    const asked = from === null ? Infinity : from.get(scope);
    if (asked !== undefined && asked > head) resets.push(scope); // a log newer than this one's (or unknown): start over at its head
    start.set(scope, asked === undefined || asked > head ? head : asked);
  }
  const positions = new StreamPositions(scopes, start);
  const item = (event: NumberedEvent): FollowItem => {
    positions.set(event.scope, event.seq);
    return { type: "change", event, positions: positions.id() };
  };

  async function* fill(scope: string): AsyncGenerator<FollowItem> {
    for (;;) {
      const after = positions.get(scope)!;
      const rows = await changesAfter(deps, scope, after);
      if (rows.length > 0 && rows[0]!.seq > after + 1) yield { type: "reset", scope, positions: positions.id() };
      for (const row of rows) yield item(row);
      if (rows.length < 500) return;
    }
  }

  async function* run(): AsyncGenerator<FollowItem> {
    try {
      yield { type: "ready", positions: positions.id() };
      for (const scope of resets) yield { type: "reset", scope, positions: positions.id() };
      for (const scope of scopes) if (from?.has(scope)) yield* fill(scope);
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
          yield { type: "change", event, positions: positions.id() }; // not in the log: pass it on as it is
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
