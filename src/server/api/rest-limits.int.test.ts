import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { ADMIN, expectError, expectOk, knownClient, restRequest, uniqueClient } from "../../../tests/support/rest-client";

/** REST under /ai/* with the limits a deployment sets: the request body cap and the CORS allowlist. */
describe("REST /ai/*", () => {
  describe("with a 1000-byte body cap", () => {
    let capped: Deps;
    let cappedAdmin: string;

    beforeAll(async () => {
      capped = await testDeps({ MAX_BODY_BYTES: "1000" });
      cappedAdmin = (await makeKey(capped, ADMIN)).key;
      setDeps(capped);
    });
    afterAll(async () => {
      await closeDeps(capped);
    });

    const oversized = (clientId: string) => JSON.stringify({ clientId, scopes: ["audit:read"], pad: "x".repeat(1200) });

    it.each([
      ["keys.create", "/ai/keys"],
      ["keys.revoke", "/ai/keys/oo_00000000/revoke"],
    ])("%s answers 413 to a body over the cap and audits it as a failure", async (_op, path) => {
      const clientId = uniqueClient();
      const { requestId } = await expectError(await restRequest(path, { key: cappedAdmin, body: oversized(clientId) }), 413, "PAYLOAD_TOO_LARGE");
      const rows = await capped.db.auditEvent.findMany({ where: { requestId } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: "failure", status: 413 });
      expect(await capped.db.apiKey.count({ where: { clientId } })).toBe(0);
    });

    it("answers 413 when Content-Length claims less than is sent", async () => {
      const res = await restRequest("/ai/keys", { key: cappedAdmin, body: oversized(uniqueClient()), headers: { "content-length": "50" } });
      await expectError(res, 413, "PAYLOAD_TOO_LARGE");
    });

    it("answers 413 when Content-Length alone is over the cap", async () => {
      const res = await restRequest("/ai/keys", { key: cappedAdmin, body: "{}", headers: { "content-length": "5000" } });
      await expectError(res, 413, "PAYLOAD_TOO_LARGE");
    });

    it("accepts a body under the cap", async () => {
      await expectOk(await restRequest("/ai/keys", { key: cappedAdmin, body: { clientId: await knownClient(capped), scopes: ["audit:read"] } }));
    });
  });

  describe("CORS", () => {
    const ORIGIN = "https://dash.example";
    let corsDeps: Deps;
    let key: string;

    beforeAll(async () => {
      corsDeps = await testDeps({ DASHBOARD_ORIGIN: ORIGIN });
      key = (await makeKey(corsDeps, ["audit:read"])).key;
      setDeps(corsDeps);
    });
    afterAll(async () => {
      await closeDeps(corsDeps);
    });

    const preflight = (origin: string) => restRequest("/ai/status", { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "x-api-key" } });

    it("answers a preflight from the dashboard origin with 204 and the allow headers", async () => {
      const res = await preflight(ORIGIN);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      expect(res.headers.get("access-control-allow-methods")).toContain("GET");
      expect(res.headers.get("access-control-allow-headers")).toContain("x-api-key");
    });

    it("answers a preflight from another origin with 403 and no allow-origin", async () => {
      const res = await preflight("https://evil.example");
      await expectError(res, 403, "FORBIDDEN");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    });

    it("adds allow-origin and exposes the request id to the dashboard origin only", async () => {
      const ok = await restRequest("/ai/status", { key, headers: { origin: ORIGIN } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      expect(ok.headers.get("access-control-expose-headers")).toContain("x-request-id");
      const other = await restRequest("/ai/status", { key, headers: { origin: "https://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    });

    it("adds allow-origin to an error too, so the dashboard can read it", async () => {
      const res = await restRequest("/ai/status", { headers: { origin: ORIGIN } });
      await expectError(res, 401, "UNAUTHORIZED");
      expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    });
  });
});
