import { AppError } from "@/server/core/errors";
import { can } from "@/server/core/auth/actor";
import type { Permission } from "@/server/core/auth/permissions";
import type { Deps } from "@/server/deps";
import { connectionMap } from "@/server/features/connections/map";
import { sharedConnections } from "@/server/features/connections/service";
import { suggestionsMap } from "@/server/features/suggestions/service";
import { guardRoute } from "./guard";

/** Each map file, the permission it needs, and what builds it (live, from stored state). */
const MAPS: Record<string, { permission: Permission; build: (deps: Deps) => Promise<unknown> }> = {
  "connections.json": { permission: "metrics:read", build: async (deps) => connectionMap(await sharedConnections(deps)) },
  "suggestions.json": { permission: "suggestions:read", build: (deps) => suggestionsMap(deps) },
};

/**
 * The map files, served live: /maps/connections.json from the latest probes (metrics:read),
 * /maps/suggestions.json from today's stored suggestions (suggestions:read; computed by the daily
 * job or GET /ai/suggestions/daily). Readable by a signed-in dashboard user or an API key.
 */
export const handleMap = guardRoute({ action: "GET /maps", surface: "rest", caller: "api_key_or_session", rateLimit: "read", auditRefusals: "denials" }, async (g, file: string) => {
  g.action = `GET /maps/${file.slice(0, 60)}`;
  const map = Object.hasOwn(MAPS, file) ? MAPS[file] : undefined;
  if (!map) throw new AppError("NOT_FOUND", `No map "${file.slice(0, 60)}"; maps: ${Object.keys(MAPS).join(", ")}.`);
  if (!can(g.actor!, map.permission)) throw new AppError("FORBIDDEN", `Reading ${file} needs the "${map.permission}" permission.`);
  return Response.json(await map.build(g.deps), { headers: { "cache-control": "no-store" } });
});
