import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { mcpCall, restCall, sessionUser, trpcCall } from "../../../tests/support/surfaces";
import { operations, type Operation } from "./operations";

/**
 * Text that is not Unicode (a lone UTF-16 surrogate, which JSON can carry as "\ud800") and other
 * hostile input on every surface: refused with 400 before anything is written, audited, never a 500,
 * never failing the audit events of other callers. Also the request id a client may choose.
 */
let deps: Deps;
let key: string;
const op = (id: string): Operation => operations.find((o) => o.meta.openapi.operationId === id)!;
const LONE = JSON.parse('"\\ud800"') as string;
const scope = `repo:hostile/${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
  key = (await makeKey(deps, ["context:read", "context:write", "audit:read"])).key;
});
afterAll(() => closeDeps(deps));

async function stored(k: string) {
  return (await restCall(op("getContext"), { scope, key: k }, { key })).status;
}
async function historyOf(k: string) {
  const res = await restCall(op("getContextHistory"), { scope, key: k }, { key });
  expect(res.status, res.text).toBe(200);
  return (JSON.parse(res.text) as { items: unknown[] }).items;
}

describe("lone surrogates are refused before anything is written", () => {
  it("REST: PUT /ai/context with a lone surrogate in the value answers 400, stores nothing, and audits the refusal", async () => {
    const k = "rest-lone";
    const res = await restCall(op("putContext"), { scope, key: k, value: { x: LONE } }, { key });
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: "BAD_REQUEST", message: expect.stringMatching(/value\.x.*lone UTF-16 surrogate/) } });
    expect(await stored(k)).toBe(404);
    expect(await historyOf(k)).toEqual([]);
    const rows = await deps.db.auditEvent.findMany({ where: { requestId: res.requestId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: "context.put", outcome: "failure", status: 400 });
    expect(JSON.stringify(rows[0]!.input)).toContain("\ufffd");
    expect(await deps.db.contextWriteIntent.count({ where: { scope, key: k } })).toBe(0);
  });

  it("REST: a lone surrogate in a property name is refused too", async () => {
    const res = await restCall(op("putContext"), JSON.parse(`{"scope":"${scope}","key":"rest-lone-key","value":{"\\udc00":1}}`), { key });
    expect(res.status, res.text).toBe(400);
    expect(await stored("rest-lone-key")).toBe(404);
  });

  it("MCP: putContext with a lone surrogate is an error result with code BAD_REQUEST, and nothing is stored", async () => {
    const res = await mcpCall("putContext", { scope, key: "mcp-lone", value: [LONE] }, { key });
    expect(res.status).toBe(200);
    expect(res.isError).toBe(true);
    expect(JSON.parse(res.payload)).toMatchObject({ error: { code: "BAD_REQUEST" } });
    expect(await stored("mcp-lone")).toBe(404);
  });

  it("tRPC: context.put with a lone surrogate answers 400 to a signed-in admin, and nothing is stored", async () => {
    const res = await trpcCall({ path: "context.put", input: { scope, key: "trpc-lone", value: LONE } }, { actor: sessionUser("admin"), mutation: true });
    expect(res.status, res.text).toBe(400);
    expect(await stored("trpc-lone")).toBe(404);
  });

  it('tRPC: an anonymous GET status.whoami?input={"x":"\\ud800"} answers 400, and other callers\' audit events of the same moment are stored', async () => {
    const others = Array.from({ length: 5 }, () => randomUUID());
    const [res, ...appended] = await Promise.all([
      trpcCall({ path: "status.whoami", input: { x: LONE } }),
      ...others.map((requestId) =>
        deps.audit.record({ actorType: "system", actorId: "test", action: "test.neighbour", resourceType: "system", outcome: "success", status: 200, requestId, surface: "system" }),
      ),
    ]);
    expect(res.status, res.text).toBe(400);
    expect(appended).toHaveLength(5);
    expect(await deps.db.auditEvent.count({ where: { requestId: { in: others } } })).toBe(5);
  });
});

describe("__proto__ keys reach the audit log", () => {
  it("keeps a `__proto__` key of a context value in its history and of a refused input in its audit row", async () => {
    const value = JSON.parse('{"__proto__":{"admin":true},"b":2}') as unknown;
    const put = await restCall(op("putContext"), { scope, key: "proto", value }, { key });
    expect(put.status, put.text).toBe(200);
    const [item] = (await historyOf("proto")) as { value: Record<string, unknown> }[];
    expect(Object.keys(item!.value).sort()).toEqual(["__proto__", "b"]);

    const refused = await restCall(op("putContext"), JSON.parse(`{"scope":"${scope}","key":"proto","value":1,"__proto__":{"x":1}}`), { key });
    expect(refused.status, refused.text).toBe(400);
    const row = await deps.db.auditEvent.findFirstOrThrow({ where: { requestId: refused.requestId } });
    expect(Object.keys(row.input as object)).toContain("__proto__");
  });
});

describe("request ids a client chooses", () => {
  const sent = `client-trace-${randomUUID().slice(0, 8)}`;
  const surfaces = {
    rest: (headers: Record<string, string>) => restCall(op("getContext"), { scope, key: "none" }, { key, headers }),
    mcp: (headers: Record<string, string>) => mcpCall("getContext", { scope, key: "none" }, { key, headers }),
    trpc: (headers: Record<string, string>) => trpcCall({ path: "context.put", input: { scope: "nope", key: "x", value: 1 } }, { actor: sessionUser("viewer"), mutation: true, headers }),
  };

  for (const [surface, send] of Object.entries(surfaces)) {
    it(`${surface}: keeps a well-formed id as a prefix but never reuses it, and replaces a malformed one`, async () => {
      const first = await send({ "x-request-id": sent });
      const second = await send({ "x-request-id": sent });
      for (const r of [first, second]) expect(r.requestId).toMatch(new RegExp(`^${sent}\\.[0-9a-f-]{13}$`));
      expect(second.requestId).not.toBe(first.requestId);
      expect(await deps.db.auditEvent.count({ where: { requestId: first.requestId } })).toBe(1);
      expect(await deps.db.auditEvent.count({ where: { requestId: sent } })).toBe(0);
      for (const hostile of ["<script>alert(1)</script>", "x".repeat(500), "short", `${sent}\u00e9`]) {
        const r = await send({ "x-request-id": hostile });
        expect(r.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }
    });
  }
});
