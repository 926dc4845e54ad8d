import { describe, expect, it } from "vitest";
import { AppError } from "@/server/core/errors";
import { matchOperation, restInput, type Operation } from "./operations";

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
  const input = (op: Operation, method: string, query: string, body?: unknown, params: Record<string, string> = {}) =>
    restInput(op, { method, query: new URLSearchParams(query), body, params });

  it("reads GET input from the query string; a repeated key becomes an array", () => {
    const { op } = match("GET", "/audit");
    expect(input(op, "GET", "actor=alice&limit=5")).toEqual({ actor: "alice", limit: "5" });
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
