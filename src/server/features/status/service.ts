import type { Actor } from "@/server/core/auth/actor";
import { vectorStoreKind } from "@/server/adapters/vectors";
import type { Deps } from "@/server/deps";
import { latestProbeStates } from "@/server/features/connections/service";
import { CONNECTIONS_SNAPSHOTS } from "@/server/features/connections/snapshots";
import { executorModes } from "@/server/features/intents/executors";
import { sharedJobStatuses } from "@/server/jobs/monitor";
import type { Connection, Status } from "./schema";

const PROBE_TIMEOUT_MS = 2_000;

async function probe(name: string, kind: string, check: () => Promise<unknown>): Promise<Connection> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)))]);
    return { name, kind, state: "up", latencyMs: Math.round((performance.now() - started) * 10) / 10, detail: null };
  } catch (err) {
    return { name, kind, state: "down", latencyMs: null, detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

async function embeddedDefaults(deps: Deps, diskPaths: boolean): Promise<string[]> {
  const out: string[] = [];
  if (deps.database.kind === "pglite") out.push(`database: embedded PGlite${diskPaths ? ` at ${deps.database.location}` : ""}`);
  if (deps.kv.kind === "memory") out.push("store: in-process memory (single instance only)");
  if (!deps.env.GITHUB_TOKEN) out.push("repo source: the local git checkout");
  if (!deps.env.OPENAI_API_KEY) out.push("search: full-text only (no embeddings)");
  else {
    const vectors = await vectorStoreKind(deps.env, deps.db);
    if (vectors === "pgvector") out.push("vectors: pgvector in the app's database (no Pinecone configured)");
    if (vectors === null) out.push("search: full-text only (embeddings configured, but no Pinecone and no pgvector in the database)");
  }
  const dry = executorModes(deps.env).filter((e) => e.mode === "dry-run");
  if (dry.length) out.push(`executors: dry-run for ${dry.map((e) => `${e.name} (${e.reason})`).join(", ")}`);
  return out;
}

/** `diskPaths`: name the server's folders (for the dashboard; an API key's caller learns nothing of the host's disk). */
/** How long one check of the connections is shared: under the Status page's 10-second refresh of its probes. */
export const STATUS_MAX_AGE_MS = 2_000;

/** The database and the store checked live, the other connections as the probe job last saw them. */
async function checkConnections(deps: Deps): Promise<Connection[]> {
  const [database, store] = await Promise.all([probe("database", deps.database.kind, () => deps.db.$queryRawUnsafe("SELECT 1")), probe("store", deps.kv.kind, () => deps.kv.ping())]);
  return [database, store, ...(await latestProbeStates(deps))];
}

export async function getStatus(deps: Deps, now = new Date(), opts: { diskPaths?: boolean } = {}): Promise<Status> {
  // shared by this instance's callers for up to STATUS_MAX_AGE_MS; a probe run forgets it (forgetConnectionSnapshots)
  const { value: connections, asOf } = await deps.snapshots.get(`${CONNECTIONS_SNAPSHOTS}status`, STATUS_MAX_AGE_MS, () => checkConnections(deps));
  const { jobs, asOf: jobsAsOf } = await sharedJobStatuses(deps);
  return {
    name: "Ops Orchestrator",
    version: deps.version,
    startedAt: deps.startedAt.toISOString(),
    uptimeSeconds: Math.round((now.getTime() - deps.startedAt.getTime()) / 1000),
    status: connections.some((c) => c.state === "down") ? "degraded" : "ok",
    connections,
    asOf: asOf.toISOString(),
    embeddedDefaults: await embeddedDefaults(deps, opts.diskPaths ?? true),
    executors: executorModes(deps.env),
    jobs: {
      total: jobs.length,
      late: jobs.filter((j) => j.late).map((j) => ({ name: j.name, lastSuccessAt: j.lastSuccessAt?.toISOString() ?? null, schedule: j.schedule })),
      asOf: jobsAsOf.toISOString(),
    },
  };
}

export function describeActor(actor: Actor) {
  if (actor.type === "api_key") return { actorType: actor.type, id: actor.id, clientId: actor.clientId, keyPrefix: actor.keyPrefix, permissions: [...actor.scopes] };
  if (actor.type === "user") return { actorType: actor.type, id: actor.email, clientId: null, keyPrefix: null, permissions: [...actor.permissions] };
  return { actorType: actor.type, id: actor.id, clientId: null, keyPrefix: null, permissions: [] };
}
