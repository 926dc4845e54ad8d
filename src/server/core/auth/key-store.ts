import { randomUUID } from "node:crypto";
import { querySql, type SqlReaders, type Tx } from "@/server/adapters/db";
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
  /** The person accountable for the key; null = nobody, so its intents cannot be approved. */
  ownerUserId: string | null;
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
    ownerUserId: k.ownerUserId,
  };
}

export interface CreateKeyInput {
  clientId: string;
  scopes: readonly Scope[];
  expiresAt?: Date | null;
  rateLimits?: Partial<RateLimits> | null;
  /**
   * Email of the person accountable for the key (and its client): never an approver of its intents
   * (four-eyes). Only the CLI names one; a signed-in user owns the keys they mint, and a key minted by
   * a key has that key's owner.
   */
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

/**
 * Who answers for a new key, and whether the caller may mint it. A key minting a key passes on its own
 * owner, may only add keys to clients that already exist (a new client id could slip past rules written
 * for client ids), and only with scopes it holds itself.
 */
async function mintingRights(tx: Tx, call: CallContext, input: CreateKeyInput) {
  const actor = call.actor;
  if (actor.type === "user") return { ownerUserId: actor.id, clientOwner: null };
  if (actor.type === "api_key") {
    const [minter, client] = await Promise.all([tx.apiKey.findUnique({ where: { id: actor.keyId } }), tx.apiClient.findUnique({ where: { id: input.clientId } })]);
    if (!client) throw new AppError("FORBIDDEN", `An API key cannot create the new client "${input.clientId}"; an admin signed in to the dashboard, or the CLI, can.`);
    const beyond = input.scopes.filter((s) => !(minter?.scopes ?? []).includes(s));
    if (beyond.length) throw new AppError("FORBIDDEN", `An API key can only mint keys within its own scopes; this one lacks ${beyond.join(", ")}.`);
    return { ownerUserId: minter?.ownerUserId ?? null, clientOwner: null };
  }
  if (!input.ownerEmail) return { ownerUserId: null, clientOwner: null };
  const owner = await tx.user.findUnique({ where: { email: input.ownerEmail.trim().toLowerCase() } });
  if (!owner) throw new AppError("BAD_REQUEST", `No user with email ${input.ownerEmail} to own client ${input.clientId}.`);
  return { ownerUserId: owner.id, clientOwner: owner };
}

/** Creates a key (and its client on first use); the plaintext is returned once and never stored. */
export async function createApiKey(audit: AuditLog, call: CallContext, input: CreateKeyInput, now = new Date()) {
  validate(input, now);
  const { key, prefix, hash } = generateApiKey();
  const createdBy = `${call.actor.type}:${call.actor.id}`;
  const record = await audit.transact(async (tx, log) => {
    const { ownerUserId, clientOwner } = await mintingRights(tx, call, input);
    const clientOwnerId = clientOwner?.id;
    await tx.apiClient.upsert({ where: { id: input.clientId }, update: { ownerUserId: clientOwnerId }, create: { id: input.clientId, name: input.clientId, createdBy, ownerUserId: clientOwnerId } });
    const row = await tx.apiKey.create({
      data: {
        clientId: input.clientId,
        prefix,
        hash,
        scopes: [...new Set(input.scopes)],
        rateLimits: input.rateLimits ?? undefined,
        expiresAt: input.expiresAt ?? null,
        createdBy,
        ownerUserId,
      },
    });
    await log(eventFor(call, { action: "keys.create", resourceType: "api_key", target: prefix, detail: { after: toKeyView(row), ...(clientOwner ? { clientOwner: clientOwner.email } : {}) } }));
    return row;
  });
  return { key, record: toKeyView(record) };
}

type Stamp = Date | string | null;
const dateOf = (d: Stamp) => (d === null ? null : new Date(d));

/**
 * Newest keys first, `limit` after the key `cursor` names (none when it names no key): one statement
 * through the plain pg pool where there is one.
 */
export async function listApiKeys(deps: SqlReaders, opts: { clientId?: string; includeRevoked?: boolean; cursor?: string; limit: number }) {
  const rows = await querySql<Omit<ApiKey, "expiresAt" | "revokedAt" | "lastUsedAt" | "createdAt"> & Record<"expiresAt" | "revokedAt" | "lastUsedAt" | "createdAt", Stamp>>(
    deps,
    `SELECT "id"::text AS "id", "client_id" AS "clientId", "prefix", "hash", "scopes", "rate_limits" AS "rateLimits", "expires_at" AS "expiresAt",
            "revoked_at" AS "revokedAt", "last_used_at" AS "lastUsedAt", "created_by" AS "createdBy", "created_at" AS "createdAt", "owner_user_id"::text AS "ownerUserId"
       FROM "api_key"
      WHERE ($1::text IS NULL OR "client_id" = $1) AND ($2::boolean OR "revoked_at" IS NULL)
        AND ($3::uuid IS NULL OR ("created_at", "id") < (SELECT "created_at", "id" FROM "api_key" WHERE "id" = $3::uuid))
      ORDER BY "created_at" DESC, "id" DESC
      LIMIT $4::int`,
    [opts.clientId ?? null, opts.includeRevoked ?? false, opts.cursor ?? null, opts.limit + 1],
  );
  const page = rows.slice(0, opts.limit).map((r) => ({
    ...r,
    expiresAt: dateOf(r.expiresAt),
    revokedAt: dateOf(r.revokedAt),
    lastUsedAt: dateOf(r.lastUsedAt),
    createdAt: new Date(r.createdAt!),
  }));
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

export const BOOTSTRAP_CLIENT_ID = "bootstrap";
const BOOTSTRAP_CREATOR = "system:env";

/**
 * ORCHESTRATOR_API_KEY: an admin key for the client "bootstrap", kept in step with the environment.
 * Owned by the first admin (the person accountable for the deployment's own key); a changed value
 * revokes the keys earlier values registered, audited, so a rotated secret stops working at once.
 * True when the key was registered now.
 */
export async function ensureBootstrapKey(audit: AuditLog, plaintext: string, cache?: ApiKeyCache, now = new Date()) {
  const hash = hashApiKey(plaintext);
  const call: CallContext = { actor: { type: "system", id: "bootstrap" }, requestId: randomUUID(), surface: "system" };
  const { created, revoked } = await audit.transact(async (tx, log) => {
    const firstAdmin = await tx.user.findFirst({ where: { role: "admin", disabledAt: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const stale = await tx.apiKey.findMany({ where: { clientId: BOOTSTRAP_CLIENT_ID, createdBy: BOOTSTRAP_CREATOR, revokedAt: null, NOT: { hash } } });
    for (const old of stale) {
      const row = await tx.apiKey.update({ where: { id: old.id }, data: { revokedAt: now } });
      await log(
        eventFor(call, { action: "keys.revoke", resourceType: "api_key", target: old.prefix, detail: { reason: "ORCHESTRATOR_API_KEY changed", before: toKeyView(old), after: toKeyView(row) } }),
      );
    }
    const existing = await tx.apiKey.findUnique({ where: { hash } });
    if (existing) {
      if (!existing.ownerUserId && firstAdmin && existing.createdBy === BOOTSTRAP_CREATOR) {
        await tx.apiKey.update({ where: { id: existing.id }, data: { ownerUserId: firstAdmin.id } });
        await log(eventFor(call, { action: "keys.owner", resourceType: "api_key", target: existing.prefix, detail: { owner: firstAdmin.email } }));
      }
      return { created: false, revoked: stale.map((k) => k.prefix) };
    }
    await tx.apiClient.upsert({ where: { id: BOOTSTRAP_CLIENT_ID }, update: {}, create: { id: BOOTSTRAP_CLIENT_ID, name: "ORCHESTRATOR_API_KEY", createdBy: BOOTSTRAP_CREATOR } });
    const prefix = `env_${hash.slice(0, 8)}`;
    await tx.apiKey.create({ data: { clientId: BOOTSTRAP_CLIENT_ID, prefix, hash, scopes: [...SCOPES], createdBy: BOOTSTRAP_CREATOR, ownerUserId: firstAdmin?.id ?? null } });
    await log(eventFor(call, { action: "keys.bootstrap", resourceType: "api_key", target: prefix, detail: { owner: firstAdmin?.email ?? null } }));
    return { created: true, revoked: stale.map((k) => k.prefix) };
  });
  for (const prefix of revoked) await cache?.announceChange({ prefix });
  return created;
}
