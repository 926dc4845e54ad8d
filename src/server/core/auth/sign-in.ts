import { hash, randomUUID } from "node:crypto";
import type { Db } from "@/server/adapters/db";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { User } from "@/generated/prisma/client";
import { actorFields, eventFor, type AuditEventInput, type AuditLog, type CallContext } from "../audit/log";
import { verifyPassword } from "./passwords";

/**
 * Dashboard sign-in: throttled per email and per IP in the shared store, every failure audited (never
 * the password), and as slow for an unknown email as for a known one. GitHub accounts are matched by
 * their numeric id, which GitHub never reassigns (a login can be renamed and then taken by anyone).
 */
export const SIGN_IN_LIMITS = { perEmail: 5, perIp: 20, windowMs: 15 * 60_000 } as const;

/** A bcrypt hash (cost 12, as stored passwords) of a random secret: an unknown email costs one compare too. */
const DUMMY_HASH = "$2b$12$v1FylkGJAPfLtgi40wW5VO9otU5U/KRlKFjL.67.Im1l1Qz7c3OEe";

export type SignInResult = { ok: true; user: User } | { ok: false; reason: "invalid" } | { ok: false; reason: "throttled"; retryAfterSeconds: number };

interface SignInDeps {
  db: Db;
  kv: KeyValueStore;
  audit: AuditLog;
}

const normalize = (email: string) => email.trim().toLowerCase().slice(0, 320);
// Hashed so the store never holds the address itself (its keys show in monitoring tools).
const emailBucket = (email: string) => `signin:fail:email:${hash("sha256", email, "hex").slice(0, 32)}`;
const ipBucket = (ip: string) => `signin:fail:ip:${ip}`;

function bucketsOf(email: string, ip: string | null) {
  return [{ key: emailBucket(email), limit: SIGN_IN_LIMITS.perEmail }, ...(ip ? [{ key: ipBucket(ip), limit: SIGN_IN_LIMITS.perIp }] : [])];
}

/**
 * Seconds until the first exhausted bucket reopens, or 0. The store down = not throttled (logged):
 * like the API's rate limits, the limiter is abuse protection and must not lock everyone out.
 */
async function lockedFor(kv: KeyValueStore, buckets: ReturnType<typeof bucketsOf>): Promise<number> {
  if (!kv.available()) return 0;
  try {
    let wait = 0;
    for (const b of buckets) {
      if (Number((await kv.get(b.key)) ?? 0) < b.limit) continue;
      wait = Math.max(wait, Math.ceil(((await kv.ttlMs(b.key)) ?? SIGN_IN_LIMITS.windowMs) / 1000));
    }
    return wait;
  } catch (err) {
    console.warn(`[sign-in] store unavailable, not throttling: ${(err as Error).message}`);
    return 0;
  }
}

/** Counts a failure in every bucket; returns the seconds of a lockout this failure started, or 0. */
async function countFailure(kv: KeyValueStore, buckets: ReturnType<typeof bucketsOf>): Promise<number> {
  if (!kv.available()) return 0;
  try {
    let wait = 0;
    for (const b of buckets) {
      const { count, resetMs } = await kv.incrWindow(b.key, SIGN_IN_LIMITS.windowMs);
      if (count >= b.limit) wait = Math.max(wait, Math.ceil(resetMs / 1000));
    }
    return wait;
  } catch (err) {
    console.warn(`[sign-in] store unavailable, failure not counted: ${(err as Error).message}`);
    return 0;
  }
}

function successEvent(user: User, ip: string | null, detail: Record<string, unknown>): AuditEventInput {
  const call: CallContext = { actor: { type: "user", id: user.id, email: user.email, role: user.role, permissions: [] }, requestId: randomUUID(), surface: "trpc", ip };
  return eventFor(call, { action: "auth.signin", resourceType: "auth", target: user.email, detail });
}

/** A refused sign-in, by nobody known: the attempted email (or GitHub id) and why, never the password. */
function failureEvent(target: string, ip: string | null, detail: Record<string, unknown>): AuditEventInput {
  return { ...actorFields(null), action: "auth.signin", resourceType: "auth", target, outcome: "failure", status: 401, requestId: randomUUID(), surface: "trpc", ip, detail };
}

export async function signInWithPassword(deps: SignInDeps, input: { email: string; password: string; ip: string | null }): Promise<SignInResult> {
  const email = normalize(input.email);
  const buckets = bucketsOf(email, input.ip);
  const wait = await lockedFor(deps.kv, buckets);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };

  const user = await deps.db.user.findUnique({ where: { email } });
  // Always one bcrypt compare, against a dummy hash when there is no password to check.
  const matches = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (user?.passwordHash && matches && !user.disabledAt) {
    await deps.kv.del(emailBucket(email)).catch(() => false);
    await deps.audit.record(successEvent(user, input.ip, { method: "password" }));
    return { ok: true, user };
  }
  const reason = !user ? "unknown_email" : user.disabledAt ? "disabled" : !user.passwordHash ? "no_password" : "wrong_password";
  const lockout = await countFailure(deps.kv, buckets);
  await deps.audit.record(failureEvent(email, input.ip, { method: "password", reason, ...(lockout ? { lockedForSeconds: lockout } : {}) }));
  return { ok: false, reason: "invalid" };
}

function githubIdOf(profile: { id?: unknown } | undefined): string | null {
  const id = profile?.id;
  if (typeof id === "number" && Number.isSafeInteger(id) && id > 0) return String(id);
  return typeof id === "string" && /^\d{1,20}$/.test(id) ? id : null;
}

/** The user a GitHub account signs in as: matched by GitHub's numeric id only, never by login. */
export async function githubSignInUser(deps: SignInDeps, profile: { id?: unknown; login?: unknown } | undefined, ip: string | null): Promise<User | null> {
  const githubId = githubIdOf(profile);
  const user = githubId ? await deps.db.user.findUnique({ where: { githubId } }) : null;
  const detail = { method: "github", githubId, login: typeof profile?.login === "string" ? profile.login.slice(0, 100) : null };
  if (user && !user.disabledAt) {
    await deps.audit.record(successEvent(user, ip, detail));
    return user;
  }
  await deps.audit.record(failureEvent(githubId ? `github:${githubId}` : "github", ip, { ...detail, reason: user ? "disabled" : "unknown_github_id" }));
  return null;
}

/** The error next-auth hands back to the sign-in form for a throttled attempt (seconds to wait included). */
export const THROTTLED_ERROR_PREFIX = "TooManyAttempts:";
