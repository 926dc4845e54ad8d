import { describe, expect, it } from "vitest";
import { AppError } from "@/server/core/errors";
import { getInputOutputParsers } from "trpc-to-openapi";
import { matchOperation, operations, restInput, type Operation } from "./operations";

/** REST routing and input, as the OpenAPI document describes them (trpc-to-openapi's rules). */

function match(method: string, path: string) {
  const m = matchOperation(method, path);
  if (!("op" in m)) throw new Error(`no operation for ${method} ${path}: allowed ${m.allowed.join(", ")}`);
  return m;
}

describe("matchOperation", () => {
  it("finds the operation and its path parameters, percent-decoded", () => {
    const { op, params } = match("POST", "/keys/oo_live%5Fab12/revoke");
    expect(op.procedurePath).toBe("keys.revoke");
    expect(params).toEqual({ prefix: "oo_live_ab12" });
    expect(match("GET", "/intents/abc/").params).toEqual({ id: "abc" });
  });

  it("says which methods a path allows, or none for an unknown path", () => {
    expect(matchOperation("DELETE", "/whoami")).toEqual({ allowed: ["GET"] });
    expect(matchOperation("GET", "/no/such/thing")).toEqual({ allowed: [] });
    expect(match("HEAD", "/whoami").op.method).toBe("GET");
  });

  it("refuses a path parameter that is not valid percent-encoding with a 400", () => {
    let caught: unknown;
    try {
      matchOperation("GET", "/intents/%E0%A4%A");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).status).toBe(400);
  });
});

describe("restInput", () => {
  const input = (op: Operation, method: string, query: string, body?: unknown, params: Record<string, string> = {}) => restInput(op, { method, query: new URLSearchParams(query), body, params });

  it("reads GET input from the query string; a repeated key becomes an array", () => {
    const { op } = match("GET", "/audit");
    expect(input(op, "GET", "actor=alice&limit=5")).toEqual({ actor: "alice", limit: 5 });
    expect(input(op, "GET", "action=a&action=b")).toEqual({ action: ["a", "b"] });
  });

  it("reads a body method's input from the JSON body, path parameters over it", () => {
    const { op, params } = match("POST", "/keys/oo_x/revoke");
    expect(input(op, "POST", "ignored=1", { prefix: "sent-in-body", reason: "leaked" }, params)).toEqual({ prefix: "oo_x", reason: "leaked" });
  });

  it("wraps a single value of an array field of the query string in an array", () => {
    const { op } = match("POST", "/keys");
    const withArrays: Operation = { ...op, method: "GET" };
    expect(input(withArrays, "GET", "scopes=context:read&client=x")).toEqual({ scopes: ["context:read"], client: "x" });
  });
});

describe("query-string booleans and numbers", () => {
  const input = (path: string, query: string) => restInput(match("GET", path).op, { method: "GET", query: new URLSearchParams(query), body: undefined, params: {} });

  it("reads false as false: includeRevoked=false does not ask for revoked keys", async () => {
    const { op } = match("GET", "/keys");
    const parse = (_query: string) => getInputOutputParsers(op.procedure as never).inputParser as { safeParseAsync(v: unknown): Promise<{ success: boolean; data?: { includeRevoked: boolean } }> };
    for (const [query, expected] of [
      ["includeRevoked=false", false],
      ["includeRevoked=FALSE", false],
      ["includeRevoked=0", false],
      ["includeRevoked=true", true],
      ["includeRevoked=1", true],
      ["", false],
    ] as const) {
      const parsed = await parse(query).safeParseAsync(input("/keys", query));
      expect(parsed.data?.includeRevoked, query).toBe(expected);
    }
    expect((await parse("").safeParseAsync(input("/keys", "includeRevoked=maybe"))).success).toBe(false);
    expect(input("/audit", "limit=0x10")).toEqual({ limit: "0x10" });
  });

  it("never makes the procedures' own schemas coercing (they are shared with tRPC and MCP)", () => {
    const coercing: string[] = [];
    const walk = (schema: unknown, path: string, seen: Set<unknown>) => {
      if (!schema || typeof schema !== "object" || seen.has(schema)) return;
      seen.add(schema);
      const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) return;
      if (def.coerce === true && def.type === "boolean") coercing.push(path);
      for (const [k, v] of Object.entries(def)) {
        if (k === "shape" && v && typeof v === "object") for (const [f, s] of Object.entries(v)) walk(s, `${path}.${f}`, seen);
        else if (Array.isArray(v)) v.forEach((s, i) => walk(s, `${path}[${i}]`, seen));
        else walk(v, path, seen);
      }
    };
    for (const op of operations) walk(getInputOutputParsers(op.procedure as never).inputParser, op.procedurePath, new Set());
    expect(coercing).toEqual([]);
  });
});
