import { randomUUID } from "node:crypto";
import { eventFor } from "@/server/core/audit/log";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import { ScopeGuard, type ChangeRef } from "@/server/features/context/access";
import { decodePositions, followScopes, type FollowItem, type Positions } from "@/server/features/context/follow";
import { SCOPE_PATTERN } from "@/server/features/context/schema";
import { guardRoute } from "./guard";

/**
 * GET /ai/context/stream?scope=…[&scope=…]: the shared context's changes as Server-Sent Events, for
 * any client that can hold a stream (the CLI's `cursor listen`, scripts). Each event's id is where the
 * client stands in every scope (follow.ts, StreamPositions); reconnecting with Last-Event-ID (or ?lastEventId=) resumes after it
 * with nothing missed within CONTEXT_STREAM_RETENTION_SECONDS. A comment every 15 s keeps proxies from
 * closing an idle stream; CONTEXT_STREAM_MAX_PER_KEY streams per key across instances.
 */
export const HEARTBEAT_MS = 15_000;
/** A stream writes at most one chunk per this many ms: a burst of changes reaches the client at most this late. */
const GATHER_MS = 50;
const MAX_SCOPES = 100;
/** A stream's lease in the shared store outlives a missed heartbeat, not a dead instance by long. */
const LEASE_MS = 3 * HEARTBEAT_MS;
const leasePool = (keyId: string) => `ctxstream:i:${keyId}`;

function scopesOf(url: URL): string[] {
  const scopes = [
    ...new Set(
      url.searchParams
        .getAll("scope")
        .flatMap((s) => s.split(","))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (scopes.length === 0) throw new AppError("BAD_REQUEST", "Name at least one scope: ?scope=global (repeat scope= for several).");
  if (scopes.length > MAX_SCOPES) throw new AppError("BAD_REQUEST", `At most ${MAX_SCOPES} scopes per stream.`);
  const bad = scopes.find((s) => !SCOPE_PATTERN.test(s));
  if (bad) throw new AppError("BAD_REQUEST", `Invalid scope "${bad.slice(0, 80)}": use global, repo:<owner>/<name>, session:<id> or client:<id>.`);
  return scopes;
}

interface Slot {
  /** Renews the lease; false when it was lost (expired while this instance stalled, and taken by another stream). */
  refresh: () => Promise<boolean>;
  release: () => Promise<void>;
}

/**
 * Takes one of the key's stream slots in the shared store, refused with 429 when all are taken. The
 * count and the take are one atomic step of the store, so streams opening together never overshoot the
 * limit; a slot is a lease renewed with each heartbeat, so a crashed instance's slots free themselves.
 */
async function takeSlot(deps: Deps, actor: Extract<Actor, { type: "api_key" }>): Promise<Slot> {
  const limit = deps.env.CONTEXT_STREAM_MAX_PER_KEY;
  const pool = leasePool(actor.keyId);
  const id = randomUUID();
  const claim = () => deps.kv.claimLease(pool, id, { limit, ttlMs: LEASE_MS });
  if (!(await claim()).taken) {
    throw new AppError(
      "RATE_LIMITED",
      `This key already holds ${limit} open context streams (CONTEXT_STREAM_MAX_PER_KEY); close one first.`,
      { limit },
      { "retry-after": String(HEARTBEAT_MS / 1000) },
    );
  }
  return { refresh: async () => (await claim()).taken, release: async () => void (await deps.kv.releaseLease(pool, id)) };
}

/** A live change is one object shared by every stream of this instance: its JSON is made once. */
const changeJson = new WeakMap<object, string>();

function frame(item: FollowItem): string {
  let data: string;
  if (item.type === "change") {
    data = changeJson.get(item.event) ?? JSON.stringify(item.event);
    changeJson.set(item.event, data);
  } else data = JSON.stringify(item.type === "reset" ? { scope: item.scope } : { positions: item.positions });
  const name = item.type === "change" ? item.event.type : item.type;
  return `id: ${item.positions}\nevent: ${name}\ndata: ${data}\n\n`;
}

export const handleContextStream = guardRoute(
  { action: "context.stream", surface: "rest", caller: "api_key", permission: "context:read", rateLimit: "read", methods: ["GET"], cors: true },
  async (g) => {
    const { deps, requestId } = g;
    const actor = g.actor;
    if (actor?.type !== "api_key") throw new AppError("UNAUTHORIZED", "Send an API key.");
    const url = new URL(g.req.url);
    const scopes = scopesOf(url);
    // another client's scopes answer as if they did not exist; an unowned session's events pass only once the caller owns it
    const guard = new ScopeGuard(deps, actor);
    const visible = new Map(await Promise.all(scopes.map(async (s) => [s, await guard.assertWatch(s, `No context scope ${s} to follow.`)] as const)));
    const lastEventId = g.req.headers.get("last-event-id") ?? url.searchParams.get("lastEventId");
    const from = decodePositions(lastEventId, scopes);
    const slot = await takeSlot(deps, actor);
    const call = { actor, requestId, surface: "rest" as const, ip: g.ip };
    // an id made for another list of scopes is audited as such: the stream resets every scope
    const resumed = from === null ? "unreadable: every scope reset" : from.size ? Object.fromEntries(from) : null;
    await deps.audit.record(eventFor(call, { action: "context.stream", resourceType: "context", input: { scopes, lastEventId: resumed } }));
    return streamResponse(deps, scopes, visible, from, g.req.signal, slot, requestId);
  },
);

function streamResponse(
  deps: Deps,
  scopes: string[],
  visible: Map<string, (change: ChangeRef) => Promise<boolean>>,
  from: Positions | null,
  clientGone: AbortSignal,
  slot: Slot,
  requestId: string,
): Response {
  const abort = new AbortController();
  const encoder = new TextEncoder();
  let heartbeat: NodeJS.Timeout | undefined;
  const end = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    clearInterval(heartbeat);
    void slot.release().catch(() => {});
  };
  clientGone.addEventListener("abort", end, { once: true });
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      // Frames leave in chunks, at most one per GATHER_MS: a lone change goes out in the next turn of the
      // event loop, the changes of a burst that follow it within GATHER_MS leave together, one socket write
      // (and one pass through the response's streams) per stream instead of one per change.
      let pending = "";
      let lastFlush = 0;
      const flush = () => {
        const text = pending;
        pending = "";
        lastFlush = performance.now();
        if (text && !abort.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      const send = (text: string) => {
        if (pending === "") {
          const wait = lastFlush + GATHER_MS - performance.now();
          if (wait > 0) setTimeout(flush, wait);
          else setImmediate(flush);
        }
        pending += text;
      };
      heartbeat = setInterval(() => {
        send(": heartbeat\n\n");
        // a stream whose slot went to another is over the limit: it ends, and its client reconnects if a slot is free
        void slot.refresh().then(
          (held) => held || end(),
          () => {},
        );
      }, HEARTBEAT_MS);
      let failure: unknown;
      try {
        const items = await followScopes(deps, scopes, from, abort.signal);
        send(`retry: 1000\n: following ${scopes.join(", ")}\n\n`);
        // every change's access check starts as it arrives (the checks of a burst share their round trips);
        // frames still leave in order, each once its own check has answered
        let sent: Promise<void> = Promise.resolve();
        for await (const item of items) {
          const shown = item.type === "change" ? visible.get(item.event.scope)!(item.event) : true;
          sent = sent.then(async () => void ((await shown) && send(frame(item))));
          // a failed check ends the stream (its client reconnects and resumes)
          sent.catch((err: unknown) => {
            if (!abort.signal.aborted) failure ??= err;
            end();
          });
        }
        await sent;
      } catch (err) {
        if (!abort.signal.aborted) failure ??= err;
      } finally {
        if (failure !== undefined) console.error(`[${requestId}] context stream failed:`, failure);
        flush();
        end();
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
      }
    },
    cancel: end,
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", connection: "keep-alive", "x-accel-buffering": "no", "x-request-id": requestId },
  });
}
