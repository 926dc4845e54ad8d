import type { Db } from "@/server/adapters/db";
import { AppError } from "../errors";
import type { Actor } from "./actor";
import type { ApiKeyCache } from "./key-cache";
import { hashApiKey, hashesEqual, looksLikeKey } from "./keys";
import { ROLE_PERMISSIONS, isScope, type RateLimits } from "./permissions";

const TOUCH_EVERY_MS = 60_000;

/**
 * Decides which machine client is calling, from the credential it sent. The only place that does:
 * REST, MCP, the CLI transport and tRPC context all call it. Throws 401 with a reason the caller can act on.
 */
export async function authenticateApiKey(db: Db, credential: string | null, clientIdHeader: string | null, opts: { now?: Date; cache?: ApiKeyCache } = {}): Promise<Actor> {
  const now = opts.now ?? new Date();
  if (!credential) throw new AppError("UNAUTHORIZED", "Missing API key: send it in the x-api-key header or as Authorization: Bearer <key>.");
  if (!looksLikeKey(credential)) throw new AppError("UNAUTHORIZED", "Malformed API key.");
  const hash = hashApiKey(credential);
  const key = opts.cache?.get(hash, now.getTime()) ?? (await db.apiKey.findUnique({ where: { hash } }));
  if (!key || !hashesEqual(key.hash, hash)) throw new AppError("UNAUTHORIZED", "Invalid API key.");
  if (key.revokedAt) throw new AppError("UNAUTHORIZED", "This API key has been revoked.");
  if (key.expiresAt && key.expiresAt <= now) throw new AppError("UNAUTHORIZED", "This API key has expired.");
  if (clientIdHeader !== null && clientIdHeader.trim() !== key.clientId) {
    throw new AppError("UNAUTHORIZED", "x-client-id does not name this API key's client.");
  }
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
    key.lastUsedAt = now;
  }
  opts.cache?.set(hash, key, now.getTime());
  return {
    type: "api_key",
    id: key.clientId,
    clientId: key.clientId,
    keyId: key.id,
    keyPrefix: key.prefix,
    scopes: key.scopes.filter(isScope),
    rateLimits: (key.rateLimits ?? undefined) as Partial<RateLimits> | undefined,
  };
}

/** The dashboard user behind a session, re-read so a disabled user or a changed role takes effect at once. */
export async function authenticateUser(db: Db, userId: string): Promise<Actor | null> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user || user.disabledAt) return null;
  return { type: "user", id: user.id, email: user.email, role: user.role, permissions: ROLE_PERMISSIONS[user.role] };
}
