import { can, type Actor } from "@/server/core/auth/actor";
import { readCredential } from "@/server/core/auth/keys";
import { authenticateApiKey } from "@/server/core/auth/resolve";
import { AppError } from "@/server/core/errors";
import { getDeps } from "@/server/deps";
import { connectionMap } from "@/server/features/connections/map";
import { listConnections } from "@/server/features/connections/service";
import { appErrorResponse, auditRejection, clientIp, requestIdOf } from "./http";
import { sessionActor } from "./session";

/**
 * The seed's map files, served live: /maps/connections.json from the latest probes. Readable by a
 * signed-in dashboard user or an API key with metrics:read. suggestions.json belongs to the
 * suggestions feature and answers 404 until it exists.
 */
export async function handleMap(req: Request, file: string): Promise<Response> {
  const deps = await getDeps();
  const requestId = requestIdOf(req);
  let actor: Actor | null = null;
  try {
    const credential = readCredential(req.headers);
    actor = credential ? await authenticateApiKey(deps.db, credential, req.headers.get("x-client-id"), { cache: deps.apiKeyCache }) : await sessionActor().catch(() => null);
    if (!actor) throw new AppError("UNAUTHORIZED", "Sign in, or send an API key with metrics:read.");
    if (!can(actor, "metrics:read")) throw new AppError("FORBIDDEN", 'Reading the maps needs the "metrics:read" permission.');
    if (file === "suggestions.json") throw new AppError("NOT_FOUND", "suggestions.json is not available yet: the suggestions feature has not been built.");
    if (file !== "connections.json") throw new AppError("NOT_FOUND", `No map "${file.slice(0, 60)}"; maps: connections.json, suggestions.json.`);
    const map = connectionMap(await listConnections(deps));
    return Response.json(map, { headers: { "cache-control": "no-store", "x-request-id": requestId } });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.status === 401 || err.status === 403) {
      await auditRejection(deps, { requestId, actor, action: `GET /maps/${file.slice(0, 60)}`, error: err, ip: clientIp(req, deps.env), surface: "rest" });
    }
    return appErrorResponse(err, requestId);
  }
}
