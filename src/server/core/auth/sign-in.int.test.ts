import { randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import type { Deps } from "@/server/deps";
import { systemActor } from "./actor";
import { githubSignInUser, SIGN_IN_LIMITS, signInWithPassword } from "./sign-in";
import { createUser } from "./users";

/** Password sign-in throttled in the shared store (the real Redis here), failures audited, unknown emails as slow as known ones. */
let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
});
afterAll(() => closeDeps(deps));

const PASSWORD = "correct-horse-battery";
async function user(extra: { githubId?: string; githubLogin?: string } = {}) {
  const email = `signin-${randomUUID().slice(0, 8)}@test.local`;
  const view = await createUser(deps.audit, { actor: systemActor("test"), requestId: randomUUID(), surface: "system" }, { email, role: "viewer", password: PASSWORD });
  if (extra.githubId || extra.githubLogin) await deps.db.user.update({ where: { id: view.id }, data: extra });
  return view;
}
const ip = () => `203.0.113.${Math.floor(Math.random() * 250)}-${randomUUID().slice(0, 4)}`;
const failuresOf = (target: string) => deps.db.auditEvent.findMany({ where: { action: "auth.signin", target, outcome: "failure" }, orderBy: { seq: "asc" } });

describe("password sign-in", () => {
  it("audits a failed sign-in with the email and the reason, never the password", async () => {
    const u = await user();
    const wrong = `wrong-${randomUUID()}`;
    expect(await signInWithPassword(deps, { email: u.email.toUpperCase(), password: wrong, ip: null })).toEqual({ ok: false, reason: "invalid" });
    const rows = await failuresOf(u.email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorType: "anonymous", status: 401, detail: { method: "password", reason: "wrong_password" } });
    const [row] = await deps.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "audit_event" WHERE "detail"::text LIKE $1 OR "input"::text LIKE $1`, `%${wrong}%`);
    expect(row!.n).toBe(0);
    const ok = await signInWithPassword(deps, { email: u.email, password: PASSWORD, ip: null });
    expect(ok.ok).toBe(true);
    expect(await deps.db.auditEvent.count({ where: { action: "auth.signin", target: u.email, outcome: "success" } })).toBe(1);
  });

  it(`locks an email out after ${SIGN_IN_LIMITS.perEmail} failures, even for the right password, with the seconds to wait`, async () => {
    const u = await user();
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail; i++) await signInWithPassword(deps, { email: u.email, password: `bad-${i}-password`, ip: ip() });
    const locked = await signInWithPassword(deps, { email: u.email, password: PASSWORD, ip: ip() });
    expect(locked).toMatchObject({ ok: false, reason: "throttled" });
    const wait = (locked as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowMs / 1000);
    const rows = await failuresOf(u.email);
    expect(rows).toHaveLength(SIGN_IN_LIMITS.perEmail); // attempts refused while locked cost no bcrypt and no row
    expect(rows.at(-1)!.detail).toMatchObject({ lockedForSeconds: expect.any(Number) });
  }, 120_000);

  it("a success clears the email's failures, so a user who mistyped a few times is not locked out later", async () => {
    const u = await user();
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail - 1; i++) await signInWithPassword(deps, { email: u.email, password: `typo-${i}-password`, ip: null });
    expect((await signInWithPassword(deps, { email: u.email, password: PASSWORD, ip: null })).ok).toBe(true);
    await signInWithPassword(deps, { email: u.email, password: "one-more-typo", ip: null });
    expect((await signInWithPassword(deps, { email: u.email, password: PASSWORD, ip: null })).ok).toBe(true);
  });

  it(`locks an IP out after ${SIGN_IN_LIMITS.perIp} failures across emails`, async () => {
    const from = ip();
    for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) await signInWithPassword(deps, { email: `spray-${randomUUID().slice(0, 8)}@test.local`, password: "guess-password", ip: from });
    const u = await user();
    expect(await signInWithPassword(deps, { email: u.email, password: PASSWORD, ip: from })).toMatchObject({ ok: false, reason: "throttled" });
    expect((await signInWithPassword(deps, { email: u.email, password: PASSWORD, ip: ip() })).ok).toBe(true);
  }, 180_000);

  it("runs bcrypt for an unknown email too (against a dummy hash of the same cost)", async () => {
    const compare = vi.spyOn(bcrypt, "compare");
    try {
      const email = `nobody-${randomUUID().slice(0, 8)}@test.local`;
      expect(await signInWithPassword(deps, { email, password: "whatever-password", ip: null })).toEqual({ ok: false, reason: "invalid" });
      expect(compare).toHaveBeenCalledTimes(1);
      expect(String(compare.mock.calls[0]![1])).toMatch(/^\$2[aby]\$12\$/);
      expect((await failuresOf(email))[0]!.detail).toMatchObject({ reason: "unknown_email" });
    } finally {
      compare.mockRestore();
    }
  });
});

describe("GitHub sign-in", () => {
  it("matches GitHub's numeric account id, never the login (which can be renamed and taken)", async () => {
    const githubId = String(Math.floor(Math.random() * 1e9) + 1);
    const login = `octo-${randomUUID().slice(0, 6)}`;
    const u = await user({ githubId, githubLogin: login });
    expect((await githubSignInUser(deps, { id: Number(githubId), login: "renamed-since" }, null))?.id).toBe(u.id);
    expect(await githubSignInUser(deps, { id: Number(githubId) + 1, login }, null)).toBeNull();
    const refused = await deps.db.auditEvent.findFirst({ where: { action: "auth.signin", target: `github:${Number(githubId) + 1}`, outcome: "failure" } });
    expect(refused?.detail).toMatchObject({ reason: "unknown_github_id", login });
    expect(await githubSignInUser(deps, { login }, null)).toBeNull();
  });
});
