import { describe, expect, it } from "vitest";
import { can, type Actor } from "./actor";
import { generateApiKey, hashApiKey, hashesEqual, readCredential } from "./keys";
import { parseRateLimits, ROLE_PERMISSIONS, type Scope } from "./permissions";

describe("API keys", () => {
  it("are oo_ + 43 base62 characters, distinct, stored as SHA-256 with an 11-character prefix", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^oo_[0-9A-Za-z]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.prefix).toBe(a.key.slice(0, 11));
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesEqual(a.hash, hashApiKey(a.key))).toBe(true);
    expect(hashesEqual(a.hash, b.hash)).toBe(false);
  });

  it("are read from x-api-key first, then Authorization: Bearer", () => {
    expect(readCredential(new Headers({ "x-api-key": " k1 ", authorization: "Bearer k2" }))).toBe("k1");
    expect(readCredential(new Headers({ authorization: "Bearer  k2" }))).toBe("k2");
    expect(readCredential(new Headers({ authorization: "bearer k3" }))).toBe("k3");
    expect(readCredential(new Headers())).toBeNull();
  });
});

describe("permissions", () => {
  const key = (scopes: Scope[]): Actor => ({
    type: "api_key",
    id: "c",
    clientId: "c",
    keyId: "k",
    keyPrefix: "oo_x",
    scopes,
  });

  it("grant a key exactly its scopes, and admin everything but approving", () => {
    expect(can(key(["audit:read"]), "audit:read")).toBe(true);
    expect(can(key(["audit:read"]), "context:write")).toBe(false);
    expect(can(key(["admin"]), "context:write")).toBe(true);
    expect(can(key(["admin"]), "intents:approve")).toBe(false);
  });

  it("grow by role, and only humans approve", () => {
    const user = (role: keyof typeof ROLE_PERMISSIONS): Actor => ({ type: "user", id: "u", email: "u@x", role, permissions: ROLE_PERMISSIONS[role] });
    expect(can(user("viewer"), "audit:read")).toBe(true);
    expect(can(user("viewer"), "context:write")).toBe(false);
    expect(can(user("operator"), "context:write")).toBe(true);
    expect(can(user("operator"), "intents:approve")).toBe(false);
    expect(can(user("approver"), "intents:approve")).toBe(true);
    expect(can(user("approver"), "admin")).toBe(false);
    expect(can(user("admin"), "admin")).toBe(true);
  });

  it("parse rate-limit specs and reject nonsense", () => {
    expect(parseRateLimits("read=5,expensive=2")).toEqual({ read: 5, expensive: 2 });
    expect(() => parseRateLimits("reads=5")).toThrow(/Invalid rate limit/);
    expect(() => parseRateLimits("read=0")).toThrow(/Invalid rate limit/);
  });
});
