import type { Actor } from "@/server/core/auth/actor";
import type { Deps } from "@/server/deps";
import type { Connection, Status } from "./schema";

const PROBE_TIMEOUT_MS = 2_000;

async function probe(name: string, kind: string, check: () => Promise<unknown>): Promise<Connection> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))),
    ]);
    return { name, kind, state: "up", latencyMs: Math.round((performance.now() - started) * 10) / 10, detail: null };
  } catch (err) {
    return { name, kind, state: "down", latencyMs: null, detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Integrations later issues probe for real; until then they show whether they are configured. */
function configured(deps: Deps): Connection[] {
  const e = deps.env;
  const list: [string, string, boolean][] = [
    ["github", "octokit", Boolean(e.GITHUB_TOKEN)],
    ["openai", "openai-compatible", Boolean(e.OPENAI_API_KEY || e.OPENAI_BASE_URL)],
    ["pinecone", "pinecone", Boolean(e.PINECONE_API_KEY && e.PINECONE_INDEX)],
    ["cloudways", "cloudways", Boolean(e.CW_API_KEY)],
    ["wordpress", "wp-rest", Boolean(e.WP_REST_ENDPOINT)],
    ["slack", "webhook", Boolean(e.SLACK_WEBHOOK_URL)],
    ["smtp", "smtp", Boolean(e.SMTP_URL)],
  ];
  return list.map(([name, kind, on]) => ({ name, kind, state: on ? "unchecked" : "not_configured", latencyMs: null, detail: null }));
}

function embeddedDefaults(deps: Deps): string[] {
  const out: string[] = [];
  if (deps.database.kind === "pglite") out.push(`database: embedded PGlite at ${deps.database.location}`);
  if (deps.kv.kind === "memory") out.push("store: in-process memory (single instance only)");
  if (!deps.env.GITHUB_TOKEN) out.push("repo source: the local git checkout");
  if (!deps.env.OPENAI_API_KEY) out.push("search: full-text only (no embeddings)");
  out.push("executors: dry-run");
  return out;
}

export async function getStatus(deps: Deps, now = new Date()): Promise<Status> {
  const [database, store] = await Promise.all([
    probe("database", deps.database.kind, () => deps.db.$queryRawUnsafe("SELECT 1")),
    probe("store", deps.kv.kind, () => deps.kv.ping()),
  ]);
  const connections = [database, store, ...configured(deps)];
  return {
    name: "Ops Orchestrator",
    version: deps.version,
    startedAt: deps.startedAt.toISOString(),
    uptimeSeconds: Math.round((now.getTime() - deps.startedAt.getTime()) / 1000),
    status: connections.some((c) => c.state === "down") ? "degraded" : "ok",
    connections,
    embeddedDefaults: embeddedDefaults(deps),
  };
}

export function describeActor(actor: Actor) {
  if (actor.type === "api_key") return { actorType: actor.type, id: actor.id, clientId: actor.clientId, keyPrefix: actor.keyPrefix, permissions: [...actor.scopes] };
  if (actor.type === "user") return { actorType: actor.type, id: actor.email, clientId: null, keyPrefix: null, permissions: [...actor.permissions] };
  return { actorType: actor.type, id: actor.id, clientId: null, keyPrefix: null, permissions: [] };
}
