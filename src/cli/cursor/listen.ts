import { setTimeout as sleep } from "node:timers/promises";
import type { ContextEvent, Entry } from "@/server/features/context/schema";
import type { SessionView } from "@/server/features/cursor/schema";
import { ApiFailure, backoffMs, callJson, failureOf, request, type Server } from "./api";
import { gitTopLevel } from "@/server/adapters/git/cli";
import { repoName } from "./git-state";
import { writeRules } from "./rules-file";
import { readSse } from "./sse";

/**
 * `orchestrator cursor listen`: follows the shared context on /ai/context/stream (resuming with
 * Last-Event-ID after a drop) and keeps the Cursor rule file up to date with the scopes' entries, the
 * repo's live sessions and today's suggestions. Sessions live in scopes of their own, so they are read
 * again with every rewrite and at least every SESSIONS_REFRESH_MS.
 */
const SESSIONS_REFRESH_MS = 30_000;
/** A burst of changes is one rewrite. */
const REWRITE_SETTLE_MS = 200;

export interface ListenOptions {
  server: Server;
  dir: string;
  scopes?: string[];
  log: (line: string) => void;
  /** After each rewrite of the rules file (tests). */
  onRewrite?: (file: string) => void;
}

async function allEntries(server: Server, scope: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | null = null;
  do {
    const query: string = new URLSearchParams({ scope, limit: "200", ...(cursor ? { cursor } : {}) }).toString();
    const page: { items: Entry[]; nextCursor: string | null } = await callJson(server, "GET", `/ai/context/list?${query}`);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 1_000);
  return out;
}

/** Today's suggestions; null when the server has none to give or the key may not read them (suggestions:read). */
async function suggestions(server: Server): Promise<unknown> {
  const res = await request(server, "GET", "/ai/suggestions/daily?status=open");
  if (res.status === 404 || res.status === 403) return null;
  if (!res.ok) throw await failureOf(res, "GET /ai/suggestions/daily");
  return res.json();
}

function describe(event: ContextEvent): string {
  const by = event.entry ? ` v${event.entry.version} by ${event.entry.updatedBy.id}` : "";
  return `${event.type} ${event.scope} ${event.key}${by}`;
}

export async function listen(opts: ListenOptions, signal: AbortSignal): Promise<void> {
  const root = (await gitTopLevel(opts.dir)) ?? opts.dir;
  const repo = await repoName(root);
  const scopes = opts.scopes?.length ? opts.scopes : ["global", `repo:${repo}`];
  let lastEventId: string | null = null;
  let rewriteTimer: NodeJS.Timeout | undefined;
  let failed: ((err: unknown) => void) | null = null;

  const rewrite = async () => {
    const [entries, sessions, today] = await Promise.all([
      Promise.all(scopes.map(async (scope) => ({ scope, entries: await allEntries(opts.server, scope) }))),
      callJson<{ items: SessionView[] }>(opts.server, "GET", `/ai/cursor/sessions?${new URLSearchParams({ repo, limit: "100" })}`),
      suggestions(opts.server),
    ]);
    const file = await writeRules(root, { scopes: entries, sessions: sessions.items, suggestions: today, at: new Date() });
    if (file) opts.onRewrite?.(file);
  };
  const scheduleRewrite = () => {
    clearTimeout(rewriteTimer);
    rewriteTimer = setTimeout(() => {
      rewrite().catch((err: unknown) => {
        if (err instanceof ApiFailure && !err.unreachable && err.retryAfterSeconds === null) failed?.(err);
        else opts.log(`rules file not rewritten: ${(err as Error).message}`);
      });
    }, REWRITE_SETTLE_MS);
  };
  const sessionsTimer = setInterval(scheduleRewrite, SESSIONS_REFRESH_MS);

  const follow = async () => {
    for (let attempt = 0; !signal.aborted;) {
      const query = new URLSearchParams(scopes.map((s) => ["scope", s]));
      let res: Response;
      try {
        res = await request(opts.server, "GET", `/ai/context/stream?${query}`, { headers: lastEventId ? { "last-event-id": lastEventId } : {}, signal });
      } catch (err) {
        if (signal.aborted) return;
        if (!(err instanceof ApiFailure) || !err.unreachable) throw err;
        const wait = backoffMs(attempt++);
        opts.log(`${err.message} Reconnecting in ${Math.round(wait / 1000)} s.`);
        await sleep(wait, undefined, { signal }).catch(() => {});
        continue;
      }
      if (!res.ok || !res.body) {
        const failure = await failureOf(res, "GET /ai/context/stream");
        if (failure.retryAfterSeconds === null) throw failure;
        opts.log(`${failure.message}; waiting ${failure.retryAfterSeconds} s.`);
        await sleep(failure.retryAfterSeconds * 1000, undefined, { signal }).catch(() => {});
        continue;
      }
      attempt = 0;
      opts.log(`${lastEventId ? "resumed" : "following"} ${scopes.join(", ")}`);
      try {
        for await (const event of readSse(res.body)) {
          if (event.id !== null) lastEventId = event.id;
          if (event.event === "put" || event.event === "delete") opts.log(describe(JSON.parse(event.data) as ContextEvent));
          else if (event.event === "reset") opts.log(`changes of ${(JSON.parse(event.data) as { scope: string }).scope} are no longer kept on the server; reading it again`);
          scheduleRewrite();
        }
      } catch (err) {
        if (signal.aborted) return;
        opts.log(`stream dropped (${(err as Error).message}); resuming`);
      }
    }
  };

  try {
    await Promise.race([follow(), new Promise<void>((_, reject) => (failed = reject))]);
  } finally {
    clearInterval(sessionsTimer);
    clearTimeout(rewriteTimer);
  }
}
