import { AppError } from "@/server/core/errors";
import { connectionMap } from "@/server/features/connections/map";
import { listConnections } from "@/server/features/connections/service";
import { guardRoute } from "./guard";

/**
 * The seed's map files, served live: /maps/connections.json from the latest probes. Readable by a
 * signed-in dashboard user or an API key with metrics:read. suggestions.json belongs to the
 * suggestions feature and answers 404 until it exists.
 */
export const handleMap = guardRoute(
  { action: "GET /maps", surface: "rest", caller: "api_key_or_session", permission: "metrics:read", rateLimit: "read", auditRefusals: "denials" },
  async (g, file: string) => {
    g.action = `GET /maps/${file.slice(0, 60)}`;
    if (file === "suggestions.json") throw new AppError("NOT_FOUND", "suggestions.json is not available yet: the suggestions feature has not been built.");
    if (file !== "connections.json") throw new AppError("NOT_FOUND", `No map "${file.slice(0, 60)}"; maps: connections.json, suggestions.json.`);
    const map = connectionMap(await listConnections(g.deps));
    return Response.json(map, { headers: { "cache-control": "no-store" } });
  },
);
