import { can, type Actor } from "@/server/core/auth/actor";
import { readCredential } from "@/server/core/auth/keys";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import { AppError } from "@/server/core/errors";
import type { Permission } from "@/server/core/auth/permissions";
import { getDeps, type Deps } from "@/server/deps";
import { connectionMap } from "@/server/features/connections/map";
import { listConnections } from "@/server/features/connections/service";
import { suggestionsMap } from "@/server/features/suggestions/service";
import { appErrorResponse, auditRejection, clientIp, requestIdOf } from "./http";
import { sessionActor } from "./session";

/** Each map file, the permission it needs, and what builds it (live, from stored state). */
const MAPS: Record<string, { permission: Permission; build: (deps: Deps) => Promise<unknown> }> = {
  "connections.json": { permission: "metrics:read", build: async (deps) => connectionMap(await listConnections(deps)) },
  "suggestions.json": { permission: "suggestions:read", build: (deps) => suggestionsMap(deps) },
};

/**
 * The seed's map files, served live: /maps/connections.json from the latest probes (metrics:read),
 * /maps/suggestions.json from today's stored suggestions (suggestions:read; computed by the daily
 * job or GET /ai/suggestions/daily). Readable by a signed-in dashboard user or an API key.
 */
export async function handleMap(req: Request, file: string): Promise<Response> {
  const deps = await getDeps();
  const requestId = requestIdOf(req);
  let actor: Actor | null = null;
  try {
    const credential = readCredential(req.headers);
    actor = credential ? await authenticateApiKey(deps.db, credential, req.headers.get("x-client-id"), { cache: deps.apiKeyCache }) : await sessionActor().catch(() => null);
    const map = Object.hasOwn(MAPS, file) ? MAPS[file] : undefined;
    if (!actor) throw new AppError("UNAUTHORIZED", `Sign in, or send an API key with ${map?.permission ?? "metrics:read"}.`);
    if (!map) throw new AppError("NOT_FOUND", `No map "${file.slice(0, 60)}"; maps: ${Object.keys(MAPS).join(", ")}.`);
    if (!can(actor, map.permission)) throw new AppError("FORBIDDEN", `Reading ${file} needs the "${map.permission}" permission.`);
    return Response.json(await map.build(deps), { headers: { "cache-control": "no-store", "x-request-id": requestId } });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.status === 401 || err.status === 403) {
      await auditRejection(deps, { requestId, actor, action: `GET /maps/${file.slice(0, 60)}`, error: err, ip: clientIp(req, deps.env), surface: "rest" });
    }
    return appErrorResponse(err, requestId);
  }
}
