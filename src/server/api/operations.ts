import type { AnyProcedure } from "@trpc/server";
import type { Meta } from "@/server/trpc/init";
import { appRouter } from "./root";

/** Every procedure GPT and MCP clients may call: those with OpenAPI meta, read off the one router. */
export interface Operation {
  procedurePath: string;
  type: "query" | "mutation";
  method: string;
  path: string;
  pattern: RegExp;
  protect: boolean;
  meta: Meta & { openapi: NonNullable<Meta["openapi"]> };
  procedure: AnyProcedure;
}

function patternOf(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, "[^/]+");
  return new RegExp(`^${escaped}/?$`);
}

export const operations: Operation[] = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
  .filter(([, p]) => (p._def.meta as Meta | undefined)?.openapi?.enabled !== false && (p._def.meta as Meta | undefined)?.openapi)
  .map(([procedurePath, procedure]) => {
    const meta = procedure._def.meta as Operation["meta"];
    return {
      procedurePath,
      type: procedure._def.type as Operation["type"],
      method: meta.openapi.method,
      path: meta.openapi.path,
      pattern: patternOf(meta.openapi.path),
      protect: meta.openapi.protect !== false,
      meta,
      procedure,
    };
  });

/** The operation for a method and path, or why there is none (404 vs 405 with the allowed methods). */
export function matchOperation(method: string, path: string): { op: Operation } | { allowed: string[] } {
  const onPath = operations.filter((o) => o.pattern.test(path));
  const op = onPath.find((o) => o.method === method) ?? (method === "HEAD" ? onPath.find((o) => o.method === "GET") : undefined);
  return op ? { op } : { allowed: [...new Set(onPath.map((o) => o.method))] };
}
