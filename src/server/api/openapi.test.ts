import { validate, compileErrors } from "@readme/openapi-parser";
import type { AnyProcedure } from "@trpc/server";
import { describe, expect, it } from "vitest";
import type { Meta } from "@/server/trpc/init";
import { openApiDocument } from "./rest";
import { appRouter } from "./root";

/** The OpenAPI document GPT Actions import: valid, complete, and within GPT's limits. */

const BASE = "https://orchestrator.example.com";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

interface OperationObject {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
}

type Doc = ReturnType<typeof openApiDocument>;

function operationsOf(doc: Doc): { method: string; path: string; op: OperationObject }[] {
  const out: { method: string; path: string; op: OperationObject }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, OperationObject | undefined>)[method];
      if (op) out.push({ method, path, op });
    }
  }
  return out;
}

/** The procedures that declare OpenAPI meta, read off the router independently of operations.ts. */
const declared = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
  .map(([name, p]) => ({ name, openapi: (p._def.meta as Meta | undefined)?.openapi }))
  .filter((p): p is { name: string; openapi: NonNullable<Meta["openapi"]> } => Boolean(p.openapi) && p.openapi!.enabled !== false);

describe("OpenAPI document", () => {
  const doc = openApiDocument(BASE);
  const ops = operationsOf(doc);

  it("validates as OpenAPI 3.x", async () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(result.specification).toBe("OpenAPI");
  });

  it("has servers[0].url under the given base URL", () => {
    expect(doc.servers?.[0]?.url.startsWith(BASE)).toBe(true);
    expect(openApiDocument(`${BASE}/`).servers?.[0]?.url).toBe(doc.servers?.[0]?.url);
  });

  it("lists at least the core operations", () => {
    expect(ops.map((o) => `${o.method.toUpperCase()} ${o.path}`)).toEqual(
      expect.arrayContaining(["GET /status", "GET /audit", "GET /audit/verify", "GET /keys", "POST /keys", "POST /keys/{prefix}/revoke"]),
    );
  });

  it("gives every operation a unique operationId", () => {
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[A-Za-z0-9_-]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("gives every operation a summary under 300 characters", () => {
    for (const { method, path, op } of ops) {
      expect(op.summary?.trim(), `${method} ${path}`).toBeTruthy();
      expect(op.summary!.length, `${method} ${path}`).toBeLessThan(300);
    }
  });

  it("declares the apiKey scheme in the x-api-key header", () => {
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: "apiKey", in: "header", name: "x-api-key" });
  });

  it("publishes one security scheme, x-api-key (a GPT action accepts exactly one)", () => {
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual(["apiKey"]);
    for (const { op } of ops) if (op.security) expect(op.security, op.operationId).toEqual([{ apiKey: [] }]);
  });

  it("marks read-only operations not consequential, even a POST, and changes consequential", () => {
    const flag = (id: string) => (ops.find((o) => o.op.operationId === id)!.op as Record<string, unknown>)["x-openai-isConsequential"];
    expect(flag("checkIntent")).toBe(false);
    expect(flag("getStatus") ?? flag(ops.find((o) => o.method === "get")!.op.operationId!)).toBe(false);
    for (const id of ["proposeIntent", "putContext", "deleteContext", "revokeApiKey", "createApiKey", "cancelIntent"]) expect(flag(id), id).toBe(true);
    for (const { op } of ops) expect(typeof (op as Record<string, unknown>)["x-openai-isConsequential"], op.operationId).toBe("boolean");
    expect(ops.filter((o) => o.method === "get").every((o) => (o.op as Record<string, unknown>)["x-openai-isConsequential"] === false)).toBe(true);
  });

  it("has every change say what it does (effect), so clients are not told a guess", () => {
    const unsaid = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
      .filter(([, p]) => (p._def.meta as Meta | undefined)?.openapi && p._def.type === "mutation" && !(p._def.meta as Meta).effect)
      .map(([name]) => name);
    expect(unsaid).toEqual([]);
  });

  it("requires the apiKey scheme on every protected operation", () => {
    const protectedIds = new Set(declared.filter((p) => p.openapi.protect !== false).map((p) => p.openapi.operationId));
    expect(protectedIds.size).toBeGreaterThan(0);
    for (const { op } of ops.filter((o) => protectedIds.has(o.op.operationId))) {
      expect(op.security, op.operationId).toEqual(expect.arrayContaining([{ apiKey: [] }]));
    }
  });

  it("includes every procedure with OpenAPI meta at its method and path", () => {
    expect(declared.length).toBeGreaterThanOrEqual(6);
    for (const p of declared) {
      const found = ops.find((o) => o.path === p.openapi.path && o.method === p.openapi.method.toLowerCase());
      expect(found, `${p.name}: ${p.openapi.method} ${p.openapi.path}`).toBeDefined();
      expect(found!.op.operationId, p.name).toBe(p.openapi.operationId);
    }
    expect(ops).toHaveLength(declared.length);
  });
});

describe("error responses in the document", () => {
  it("describe the contract body { error: { code, message, requestId } }, not trpc-to-openapi's own", () => {
    const doc = openApiDocument("https://orchestrator.example.com");
    const schemas = Object.entries(doc.components?.schemas ?? {}).filter(([name]) => name.startsWith("error."));
    expect(schemas.length).toBeGreaterThan(0);
    for (const [, schema] of schemas) {
      expect(schema).toMatchObject({ required: ["error"], properties: { error: { required: ["code", "message", "requestId"] } } });
    }
  });
});
