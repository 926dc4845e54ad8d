import { randomUUID } from "node:crypto";
import type { Db } from "@/server/adapters/db";
import type { ApiKey } from "@/generated/prisma/client";
import { AppError } from "../errors";
import { eventFor, type AuditLog, type CallContext } from "../audit/log";
import { generateApiKey, hashApiKey } from "./keys";
import { SCOPES, type RateLimits, type Scope } from "./permissions";
import type { ApiKeyCache } from "./key-cache";

/** API key management: the domain logic behind the admin procedures, the CLI and the bootstrap key. */
export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export interface ApiKeyView {
  id: string;
  prefix: string;
  clientId: string;
  scopes: string[];
  rateLimits: Partial<RateLimits> | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  createdBy: string;
}

export function toKeyView(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    prefix: k.prefix,
    clientId: k.clientId,
    scopes: k.scopes,
    rateLimits: (k.rateLimits ?? null) as Partial<RateLimits> | null,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
    createdBy: k.createdBy,
  };
}

export interface CreateKeyInput {
  clientId: string;
  scopes: readonly Scope[];
  expiresAt?: Date | null;
  rateLimits?: Partial<RateLimits> | null;
  /** Email of the user answerable for the client: never an approver of its intents (four-eyes). */
  ownerEmail?: string | null;
}

function validate(input: CreateKeyInput, now: Date) {
  if (!CLIENT_ID_PATTERN.test(input.clientId)) {
    throw new AppError("BAD_REQUEST", "Client id must be 1–63 characters of a–z, 0–9, '.', '_' or '-', starting with a letter or digit.");
  }
  if (input.scopes.length === 0) throw new AppError("BAD_REQUEST", "A key needs at least one scope.");
  const unknown = input.scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw new AppError("BAD_REQUEST", `Unknown scopes: ${unknown.join(", ")}. Known: ${SCOPES.join(", ")}.`);
  if (input.expiresAt && input.expiresAt <= now) throw new AppError("BAD_REQUEST", "expiresAt must be in the future.");
}

/** Creates a key (and its client on first use); the plaintext is returned once and never stored. */
export async function createApiKey(audit: AuditLog, call: CallContext, input: CreateKeyInput, now = new Date()) {
  validate(input, now);
  const { key, prefix, hash } = generateApiKey();
  const createdBy = `${call.actor.type}:${call.actor.id}`;
  const record = await audit.transact(async (tx, log) => {
    const owner = input.ownerEmail ? await tx.user.findUnique({ where: { email: input.ownerEmail.trim().toLowerCase() } }) : null;
    if (input.ownerEmail && !owner) throw new AppError("BAD_REQUEST", `No user with email ${input.ownerEmail} to own client ${input.clientId}.`);
    const ownerUserId = owner?.id;
    await tx.apiClient.upsert({ where: { id: input.clientId }, update: { ownerUserId }, create: { id: input.clientId, name: input.clientId, createdBy, ownerUserId } });
    const row = await tx.apiKey.create({
      data: {
        clientId: input.clientId,
        prefix,
        hash,
        scopes: [...new Set(input.scopes)],
        rateLimits: input.rateLimits ?? undefined,
        expiresAt: input.expiresAt ?? null,
        createdBy,
      },
    });
    await log(eventFor(call, { action: "keys.create", resourceType: "api_key", target: prefix, detail: { after: toKeyView(row), ...(owner ? { clientOwner: owner.email } : {}) } }));
    return row;
  });
  return { key, record: toKeyView(record) };
}

export async function listApiKeys(db: Db, opts: { clientId?: string; includeRevoked?: boolean; cursor?: string; limit: number }) {
  const rows = await db.apiKey.findMany({
    where: { clientId: opts.clientId, ...(opts.includeRevoked ? {} : { revokedAt: null }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, opts.limit);
  return { items: page.map(toKeyView), nextCursor: rows.length > opts.limit ? page[page.length - 1]!.id : null };
}

/**
 * Revokes by prefix; revoking twice is harmless and returns the key as it is. Once committed, every
 * instance's key cache is cleared, so the key stops working at once everywhere.
 */
export async function revokeApiKey(audit: AuditLog, cache: ApiKeyCache, call: CallContext, prefix: string, now = new Date()) {
  const view = await audit.transact(async (tx, log) => {
    const found = await tx.apiKey.findUnique({ where: { prefix } });
    if (!found) throw new AppError("NOT_FOUND", `No API key with prefix ${prefix}.`);
    if (found.revokedAt) return toKeyView(found);
    const row = await tx.apiKey.update({ where: { id: found.id }, data: { revokedAt: now } });
    await log(eventFor(call, { action: "keys.revoke", resourceType: "api_key", target: prefix, detail: { before: toKeyView(found), after: toKeyView(row) } }));
    return toKeyView(row);
  });
  await cache.announceChange({ prefix });
  return view;
}

/** ORCHESTRATOR_API_KEY: an admin key for the client "bootstrap", kept in step with the environment. */
export async function ensureBootstrapKey(audit: AuditLog, plaintext: string) {
  const hash = hashApiKey(plaintext);
  return audit.transact(async (tx, log) => {
    if (await tx.apiKey.findUnique({ where: { hash } })) return false;
    await tx.apiClient.upsert({ where: { id: "bootstrap" }, update: {}, create: { id: "bootstrap", name: "ORCHESTRATOR_API_KEY", createdBy: "system:env" } });
    const prefix = `env_${hash.slice(0, 8)}`;
    await tx.apiKey.create({ data: { clientId: "bootstrap", prefix, hash, scopes: [...SCOPES], createdBy: "system:env" } });
    const call: CallContext = { actor: { type: "system", id: "bootstrap" }, requestId: randomUUID(), surface: "system" };
    await log(eventFor(call, { action: "keys.bootstrap", resourceType: "api_key", target: prefix }));
    return true;
  });
}
