import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationKind, Scope } from "@/server/core/auth/permissions";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { ADMIN, expectError, expectOk, knownClient, restRequest, uniqueClient } from "../../../tests/support/rest-client";

/**
 * REST under /ai/* as a client sees it, in-process: every core operation with each
 * status it can answer, the error body contract, the audit row each request leaves and redaction (the body cap and CORS: rest-limits.int.test.ts).
 */

// ---------------------------------------------------------------- helpers

/** Well-formed but never issued. */
const unknownKey = () => `oo_${"Z".repeat(11)}${randomUUID().replace(/-/g, "")}`;

let deps: Deps;

/** Exactly one audit row for the request, with this outcome and status. */
async function expectOneAuditRow(requestId: string, outcome: "success" | "failure" | "denied", status: number) {
  const rows = await deps.db.auditEvent.findMany({ where: { requestId } });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ outcome, status, surface: "rest" });
  return rows[0]!;
}

/** How many audit rows, anywhere in the log, contain this text. */
async function auditRowsContaining(text: string): Promise<number> {
  const [row] = await deps.db.$queryRawUnsafe<{ n: number }[]>("SELECT count(*)::int AS n FROM audit_event a WHERE position($1 in row_to_json(a)::text) > 0", text);
  return row!.n;
}

interface Op {
  name: string;
  method: "GET" | "POST";
  /** The path template as in the OpenAPI meta. */
  template: string;
  /** The scope the operation needs; null when any key will do. */
  scope: Scope | null;
  /** A scope that is not enough (403). */
  weakScope: Scope | null;
  kind: OperationKind;
  /** A valid request: the path and body of a call that answers 200. */
  valid: () => Promise<{ path: string; body?: unknown }>;
}

/** A key of a fresh client, revoked at once: the target of a keys.revoke call. */
async function victimPrefix(): Promise<string> {
  return (await makeKey(deps, ["audit:read"])).record.prefix;
}

const OPS: Op[] = [
  { name: "status.get", method: "GET", template: "/ai/status", scope: null, weakScope: null, kind: "read", valid: async () => ({ path: "/ai/status" }) },
  { name: "audit.list", method: "GET", template: "/ai/audit", scope: "audit:read", weakScope: "context:read", kind: "read", valid: async () => ({ path: "/ai/audit?limit=1" }) },
  { name: "audit.verify", method: "GET", template: "/ai/audit/verify", scope: "audit:read", weakScope: "context:read", kind: "expensive", valid: async () => ({ path: "/ai/audit/verify" }) },
  { name: "keys.list", method: "GET", template: "/ai/keys", scope: "admin", weakScope: "audit:read", kind: "read", valid: async () => ({ path: "/ai/keys?limit=1" }) },
  {
    name: "keys.create",
    method: "POST",
    template: "/ai/keys",
    scope: "admin",
    weakScope: "audit:read",
    kind: "write",
    valid: async () => ({ path: "/ai/keys", body: { clientId: await knownClient(deps), scopes: ["audit:read"] } }),
  },
  {
    name: "keys.revoke",
    method: "POST",
    template: "/ai/keys/{prefix}/revoke",
    scope: "admin",
    weakScope: "audit:read",
    kind: "write",
    valid: async () => ({ path: `/ai/keys/${await victimPrefix()}/revoke` }),
  },
];

/** A request to the operation that gets as far as authentication (the target need not exist). */
function placeholderPath(op: Op) {
  return op.template.replace("{prefix}", "oo_00000000");
}
function placeholderBody(op: Op) {
  return op.method === "POST" ? {} : undefined;
}

// ---------------------------------------------------------------- tests

describe("REST /ai/*", () => {
  let admin: Awaited<ReturnType<typeof makeKey>>;

  beforeAll(async () => {
    deps = await testDeps();
    setDeps(deps);
    admin = await makeKey(deps, ADMIN);
  });
  afterAll(() => closeDeps(deps));

  describe("200", () => {
    it("status.get answers the status and audits the call as a success of the key's client", async () => {
      const { requestId, body } = await expectOk(await restRequest("/ai/status", { key: admin.key }));
      expect(body).toMatchObject({ name: "Ops Orchestrator", status: expect.stringMatching(/^(ok|degraded)$/) });
      expect(body.connections).toEqual(expect.arrayContaining([expect.objectContaining({ name: "database", state: "up" })]));
      const row = await expectOneAuditRow(requestId, "success", 200);
      expect(row).toMatchObject({ action: "status.get", actorType: "api_key", clientId: admin.clientId });
    });

    it("audit.list answers the rows of a client, newest first", async () => {
      const reader = await makeKey(deps, ["audit:read"]);
      await expectOk(await restRequest("/ai/status", { key: reader.key }));
      await expectOk(await restRequest("/ai/status", { key: reader.key }));
      const { body } = await expectOk(await restRequest(`/ai/audit?clientId=${reader.clientId}&action=status.get`, { key: reader.key }));
      const items = body.items as { seq: number; clientId: string; action: string }[];
      expect(items).toHaveLength(2);
      expect(items.every((i) => i.clientId === reader.clientId && i.action === "status.get")).toBe(true);
      expect(items[0]!.seq).toBeGreaterThan(items[1]!.seq);
      expect(body.nextCursor).toBeNull();
    });

    it("audit.list pages with limit and cursor", async () => {
      const reader = await makeKey(deps, ["audit:read"]);
      for (let i = 0; i < 3; i++) await expectOk(await restRequest("/ai/status", { key: reader.key }));
      const q = `clientId=${reader.clientId}&action=status.get&limit=2`;
      const first = await expectOk(await restRequest(`/ai/audit?${q}`, { key: reader.key }));
      expect(first.body.items).toHaveLength(2);
      expect(typeof first.body.nextCursor).toBe("number");
      const second = await expectOk(await restRequest(`/ai/audit?${q}&cursor=${first.body.nextCursor as number}`, { key: reader.key }));
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
    });

    it("audit.verify answers that the chain is intact", async () => {
      const { body } = await expectOk(await restRequest("/ai/audit/verify", { key: admin.key }));
      expect(body).toMatchObject({ ok: true, checked: expect.any(Number), firstBadSeq: null, reason: null, headHash: expect.stringMatching(/^[0-9a-f]{64}$/), archivedChecked: 0 });
      expect(body.checked).toBeGreaterThan(0);
      // a query string's "false" is false, and the archive check runs on request
      expect((await expectOk(await restRequest("/ai/audit/verify?archive=false", { key: admin.key }))).body).toMatchObject({ ok: true });
      expect((await expectOk(await restRequest("/ai/audit/verify?archive=true", { key: admin.key }))).body).toMatchObject({ ok: true });
    });

    it("keys.list reads includeRevoked=false as false", async () => {
      const other = await makeKey(deps, ["audit:read"]);
      await deps.db.apiKey.update({ where: { id: other.record.id }, data: { revokedAt: new Date() } });
      const list = async (flag: string) => ((await expectOk(await restRequest(`/ai/keys?clientId=${other.clientId}&includeRevoked=${flag}`, { key: admin.key }))).body.items as unknown[]).length;
      expect(await list("false")).toBe(0);
      expect(await list("0")).toBe(0);
      expect(await list("true")).toBe(1);
      await expectError(await restRequest(`/ai/keys?clientId=${other.clientId}&includeRevoked=yes-please`, { key: admin.key }), 400, "BAD_REQUEST");
    });

    it("keys.list answers key views without secrets", async () => {
      const other = await makeKey(deps, ["audit:read"]);
      const { body } = await expectOk(await restRequest(`/ai/keys?clientId=${other.clientId}`, { key: admin.key }));
      const items = body.items as Record<string, unknown>[];
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ prefix: other.record.prefix, clientId: other.clientId, scopes: ["audit:read"], revokedAt: null });
      expect(items[0]).not.toHaveProperty("hash");
      expect(JSON.stringify(body)).not.toContain(other.key);
    });

    it("keys.create answers a working key, shown once, and audits the creation once", async () => {
      const clientId = await knownClient(deps);
      const { requestId, body } = await expectOk(await restRequest("/ai/keys", { key: admin.key, body: { clientId, scopes: ["audit:read"] } }));
      const key = body.key as string;
      expect(key).toMatch(/^oo_[0-9A-Za-z]{43}$/);
      expect(body.record).toMatchObject({ clientId, scopes: ["audit:read"], prefix: key.slice(0, 11) });
      const row = await expectOneAuditRow(requestId, "success", 200);
      expect(row).toMatchObject({ action: "keys.create", target: key.slice(0, 11), clientId: admin.clientId });
      await expectOk(await restRequest("/ai/audit?limit=1", { key }));
    });

    it("keys.revoke revokes at once: the key answers 401 afterwards", async () => {
      const victim = await makeKey(deps, ["audit:read"]);
      await expectOk(await restRequest("/ai/status", { key: victim.key }));
      const { requestId, body } = await expectOk(await restRequest(`/ai/keys/${victim.record.prefix}/revoke`, { key: admin.key, method: "POST" }));
      expect(body).toMatchObject({ prefix: victim.record.prefix, revokedAt: expect.any(String) });
      await expectOneAuditRow(requestId, "success", 200);
      await expectError(await restRequest("/ai/status", { key: victim.key }), 401, "UNAUTHORIZED");
    });

    it("accepts the key as Authorization: Bearer", async () => {
      const { requestId } = await expectOk(await restRequest("/ai/status", { headers: { authorization: `Bearer ${admin.key}` } }));
      expect((await expectOneAuditRow(requestId, "success", 200)).clientId).toBe(admin.clientId);
    });

    it("accepts an x-client-id that names the key's own client", async () => {
      await expectOk(await restRequest("/ai/status", { key: admin.key, headers: { "x-client-id": admin.clientId } }));
    });

    it("sends RateLimit and RateLimit-Policy headers on a success", async () => {
      const res = await restRequest("/ai/status", { key: admin.key });
      await expectOk(res);
      expect(res.headers.get("ratelimit-policy")).toBe('"read";q=600;w=60');
      expect(res.headers.get("ratelimit")).toMatch(/^"read";r=\d+;t=\d+$/);
    });
  });

  describe("401", () => {
    let revoked: string;
    let expired: string;
    let foreignClient: { key: string; other: string };

    beforeAll(async () => {
      const r = await makeKey(deps, ["admin"]);
      await deps.db.apiKey.update({ where: { id: r.record.id }, data: { revokedAt: new Date() } });
      revoked = r.key;
      const e = await makeKey(deps, ["admin"]);
      await deps.db.apiKey.update({ where: { id: e.record.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      expired = e.key;
      const other = await makeKey(deps, ["audit:read"]);
      foreignClient = { key: admin.key, other: other.clientId };
    });

    const reasons: { reason: string; headers: () => Record<string, string>; message: RegExp }[] = [
      { reason: "no key", headers: () => ({}), message: /Missing API key/ },
      { reason: "a malformed key", headers: () => ({ "x-api-key": "short" }), message: /Malformed/ },
      { reason: "an unknown key", headers: () => ({ "x-api-key": unknownKey() }), message: /Invalid API key/ },
      { reason: "an unknown bearer token", headers: () => ({ authorization: `Bearer ${unknownKey()}` }), message: /Invalid API key/ },
      { reason: "a revoked key", headers: () => ({ "x-api-key": revoked }), message: /revoked/ },
      { reason: "an expired key", headers: () => ({ "x-api-key": expired }), message: /expired/ },
      { reason: "an x-client-id naming another client", headers: () => ({ "x-api-key": foreignClient.key, "x-client-id": foreignClient.other }), message: /x-client-id/ },
    ];

    describe.each(OPS)("$name", (op) => {
      it.each(reasons)("answers 401 to $reason and audits it as denied", async ({ headers, message }) => {
        const res = await restRequest(placeholderPath(op), { method: op.method, headers: headers(), body: placeholderBody(op) });
        const { requestId, body } = await expectError(res, 401, "UNAUTHORIZED");
        expect(body.error.message).toMatch(message);
        const row = await expectOneAuditRow(requestId, "denied", 401);
        expect(row).toMatchObject({ action: op.name, resourceType: "auth" });
      });
    });

    it("authenticates before reading the body: no key and malformed JSON is 401", async () => {
      const { requestId } = await expectError(await restRequest("/ai/keys", { body: "{not json" }), 401, "UNAUTHORIZED");
      await expectOneAuditRow(requestId, "denied", 401);
    });

    it("authenticates before the media type and the body cap: no key, text/plain, huge body is 401", async () => {
      const res = await restRequest("/ai/keys", { body: "x".repeat(2_000_000), headers: { "content-type": "text/plain" } });
      await expectError(res, 401, "UNAUTHORIZED");
    });

    it("does not leak the schema to an unauthenticated caller", async () => {
      const { body } = await expectError(await restRequest("/ai/audit?limit=abc"), 401, "UNAUTHORIZED");
      expect(body.error.details).toBeUndefined();
      expect(body.error.message).not.toMatch(/limit/);
    });
  });

  describe("403", () => {
    describe.each(OPS.filter((o) => o.scope))("$name", (op) => {
      it(`answers 403 to a key with only ${op.weakScope} and audits it as denied`, async () => {
        const weak = await makeKey(deps, [op.weakScope!]);
        const res = await restRequest(placeholderPath(op), { key: weak.key, method: op.method, body: placeholderBody(op) });
        const { requestId, body } = await expectError(res, 403, "FORBIDDEN");
        expect(body.error.message).toContain(op.scope!);
        const row = await expectOneAuditRow(requestId, "denied", 403);
        expect(row).toMatchObject({ action: op.name, clientId: weak.clientId });
      });
    });

    it("keys.create with a non-admin key creates nothing", async () => {
      const weak = await makeKey(deps, ["audit:read"]);
      const clientId = uniqueClient();
      await expectError(await restRequest("/ai/keys", { key: weak.key, body: { clientId, scopes: ["admin"] } }), 403, "FORBIDDEN");
      expect(await deps.db.apiKey.count({ where: { clientId } })).toBe(0);
    });
  });

  describe("400", () => {
    const cases: { op: string; what: string; path: string; method?: string; body?: unknown }[] = [
      { op: "status.get", what: "an unknown query parameter", path: "/ai/status?verbose=1" },
      { op: "audit.list", what: "a non-numeric limit", path: "/ai/audit?limit=abc" },
      { op: "audit.list", what: "a limit out of range", path: "/ai/audit?limit=500" },
      { op: "audit.list", what: "an outcome outside the enum", path: "/ai/audit?outcome=maybe" },
      { op: "audit.list", what: "a since that is no date", path: "/ai/audit?since=yesterday" },
      { op: "audit.list", what: "an unknown query parameter", path: "/ai/audit?colour=red" },
      { op: "audit.verify", what: "an unknown query parameter", path: "/ai/audit/verify?from=1" },
      { op: "keys.list", what: "a cursor that is no uuid", path: "/ai/keys?cursor=abc" },
      { op: "keys.list", what: "a zero limit", path: "/ai/keys?limit=0" },
      { op: "keys.list", what: "an unknown query parameter", path: "/ai/keys?secretsToo=1" },
      { op: "keys.revoke", what: "malformed JSON", path: "/ai/keys/oo_00000000/revoke", body: "{prefix" },
      { op: "keys.revoke", what: "an unknown body field", path: "/ai/keys/oo_00000000/revoke", body: { reason: "gone" } },
      { op: "keys.revoke", what: "a prefix too short", path: "/ai/keys/abc/revoke", method: "POST" },
    ];

    it.each(cases)("$op answers 400 to $what and audits it as a failure", async ({ path, method, body }) => {
      const { requestId } = await expectError(await restRequest(path, { key: admin.key, method, body }), 400, "BAD_REQUEST");
      await expectOneAuditRow(requestId, "failure", 400);
    });

    it("names the offending field in the message", async () => {
      const { body } = await expectError(await restRequest("/ai/audit?limit=abc", { key: admin.key }), 400, "BAD_REQUEST");
      expect(body.error.message).toMatch(/limit/);
    });

    const createCases: { what: string; body: (clientId: string) => unknown }[] = [
      { what: "malformed JSON", body: (clientId) => `{"clientId":"${clientId}","scopes":["audit:read"]` },
      { what: "scopes of the wrong type", body: (clientId) => ({ clientId, scopes: "audit:read" }) },
      { what: "an unknown scope", body: (clientId) => ({ clientId, scopes: ["root"] }) },
      { what: "an unknown field", body: (clientId) => ({ clientId, scopes: ["audit:read"], note: "for the GPT" }) },
      { what: "a missing field", body: (clientId) => ({ clientId }) },
      { what: "an expiry in the past", body: (clientId) => ({ clientId, scopes: ["audit:read"], expiresAt: "2001-01-01T00:00:00Z" }) },
      { what: "an invalid client id", body: () => ({ clientId: "Not Valid!", scopes: ["audit:read"] }) },
      { what: "a rate limit of the wrong type", body: (clientId) => ({ clientId, scopes: ["audit:read"], rateLimits: { read: "many" } }) },
    ];

    it.each(createCases)("keys.create answers 400 to $what, audits it and creates no key", async ({ body }) => {
      const clientId = uniqueClient();
      const { requestId } = await expectError(await restRequest("/ai/keys", { key: admin.key, body: body(clientId) }), 400, "BAD_REQUEST");
      await expectOneAuditRow(requestId, "failure", 400);
      expect(await deps.db.apiKey.count({ where: { clientId } })).toBe(0);
      expect(await deps.db.apiClient.count({ where: { id: clientId } })).toBe(0);
    });
  });

  describe("404", () => {
    it.each(["/ai/nope", "/ai/keys/oo_00000000", "/ai/status/extra", "/ai"])("answers 404 at %s and audits it as a failure", async (path) => {
      const { requestId } = await expectError(await restRequest(path, { key: admin.key }), 404, "NOT_FOUND");
      await expectOneAuditRow(requestId, "failure", 404);
    });

    it("keys.revoke answers 404 for an unknown prefix and audits it as a failure", async () => {
      const prefix = `oo_${randomUUID().slice(0, 8)}`;
      const { requestId, body } = await expectError(await restRequest(`/ai/keys/${prefix}/revoke`, { key: admin.key, method: "POST" }), 404, "NOT_FOUND");
      expect(body.error.message).toContain(prefix);
      const row = await expectOneAuditRow(requestId, "failure", 404);
      expect(row).toMatchObject({ action: "keys.revoke", clientId: admin.clientId });
    });
  });

  describe("405", () => {
    const cases: { op: string; method: string; path: string; allow: string[] }[] = [
      { op: "status.get", method: "POST", path: "/ai/status", allow: ["GET"] },
      { op: "audit.list", method: "DELETE", path: "/ai/audit", allow: ["GET"] },
      { op: "audit.verify", method: "POST", path: "/ai/audit/verify", allow: ["GET"] },
      { op: "keys.list / keys.create", method: "PUT", path: "/ai/keys", allow: ["GET", "POST"] },
      { op: "keys.revoke", method: "GET", path: "/ai/keys/oo_00000000/revoke", allow: ["POST"] },
    ];

    it.each(cases)("$op answers 405 to $method $path with Allow: $allow", async ({ method, path, allow }) => {
      const res = await restRequest(path, { key: admin.key, method });
      const { requestId } = await expectError(res, 405, "METHOD_NOT_ALLOWED");
      expect(
        res.headers
          .get("allow")
          ?.split(",")
          .map((s) => s.trim())
          .sort(),
      ).toEqual(allow);
      await expectOneAuditRow(requestId, "failure", 405);
    });
  });

  describe("415", () => {
    it.each([
      ["keys.create", "/ai/keys"],
      ["keys.revoke", "/ai/keys/oo_00000000/revoke"],
    ])("%s answers 415 to a text/plain body and audits it as a failure", async (_op, path) => {
      const clientId = uniqueClient();
      const res = await restRequest(path, { key: admin.key, body: JSON.stringify({ clientId, scopes: ["audit:read"] }), headers: { "content-type": "text/plain" } });
      const { requestId } = await expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
      await expectOneAuditRow(requestId, "failure", 415);
      expect(await deps.db.apiKey.count({ where: { clientId } })).toBe(0);
    });
  });

  describe("429", () => {
    describe.each(OPS)("$name", (op) => {
      it(`answers 429 past the key's ${op.kind} limit, with Retry-After and RateLimit headers`, async () => {
        const limited = await makeKey(deps, ADMIN, { rateLimits: { [op.kind]: 1 } });
        const first = await op.valid();
        const ok = await restRequest(first.path, { key: limited.key, method: op.method, body: first.body });
        await expectOk(ok);
        expect(ok.headers.get("ratelimit")).toMatch(new RegExp(`^"${op.kind}";r=0;t=\\d+$`));

        const second = await op.valid();
        const res = await restRequest(second.path, { key: limited.key, method: op.method, body: second.body });
        const { requestId, body } = await expectError(res, 429, "RATE_LIMITED");
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(60);
        expect(res.headers.get("ratelimit-policy")).toBe(`"${op.kind}";q=1;w=60`);
        expect(res.headers.get("ratelimit")).toMatch(new RegExp(`^"${op.kind}";r=0;t=\\d+$`));
        expect(body.error.details).toMatchObject({ kind: op.kind, limit: 1 });
        const row = await expectOneAuditRow(requestId, "failure", 429);
        expect(row).toMatchObject({ action: op.name, clientId: limited.clientId });
      });
    });

    it("counts each kind of operation separately", async () => {
      const limited = await makeKey(deps, ADMIN, { rateLimits: { read: 1 } });
      await expectOk(await restRequest("/ai/status", { key: limited.key }));
      await expectError(await restRequest("/ai/status", { key: limited.key }), 429, "RATE_LIMITED");
      await expectOk(await restRequest("/ai/keys", { key: limited.key, body: { clientId: await knownClient(deps), scopes: ["audit:read"] } }));
    });

    it("refuses a 429'd keys.create without creating the key", async () => {
      const limited = await makeKey(deps, ADMIN, { rateLimits: { write: 1 } });
      await expectOk(await restRequest("/ai/keys", { key: limited.key, body: { clientId: await knownClient(deps), scopes: ["audit:read"] } }));
      const clientId = uniqueClient();
      await expectError(await restRequest("/ai/keys", { key: limited.key, body: { clientId, scopes: ["audit:read"] } }), 429, "RATE_LIMITED");
      expect(await deps.db.apiKey.count({ where: { clientId } })).toBe(0);
    });
  });

  describe("secrets in the audit log", () => {
    it("keys.create's plaintext key appears in no audit row", async () => {
      const { body } = await expectOk(await restRequest("/ai/keys", { key: admin.key, body: { clientId: await knownClient(deps), scopes: ["audit:read"] } }));
      const key = body.key as string;
      await expectOk(await restRequest("/ai/status", { key }));
      expect(await auditRowsContaining(key)).toBe(0);
      expect(await auditRowsContaining(key.slice(0, 11))).toBeGreaterThan(0); // the search does find what is there
    });

    it("redacts a key sent as an input value", async () => {
      const leaked = (await makeKey(deps, ["audit:read"])).key;
      const { requestId } = await expectOk(await restRequest(`/ai/audit?limit=1&clientId=${leaked}`, { key: admin.key }));
      const row = await expectOneAuditRow(requestId, "success", 200);
      expect(row.input).toMatchObject({ clientId: "[redacted]" });
      expect(await auditRowsContaining(leaked)).toBe(0);
    });

    it("redacts a secret-named input field of a refused request", async () => {
      const { requestId } = await expectError(await restRequest("/ai/status?password=hunter2-hunter2", { key: admin.key }), 400, "BAD_REQUEST");
      const row = await expectOneAuditRow(requestId, "failure", 400);
      expect(row.input).toMatchObject({ password: "[redacted]" });
      expect(await auditRowsContaining("hunter2-hunter2")).toBe(0);
    });
  });
});
