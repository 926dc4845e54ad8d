import { hash } from "node:crypto";
import canonicalize from "canonicalize";
import type { Db, Tx } from "@/server/adapters/db";
import { AppError } from "@/server/core/errors";

/**
 * Idempotency-Key for a create: the key row is claimed in its own committed statement (response
 * null = in progress), the work and the stored response then commit in one transaction. A second
 * request with the key replays the stored response; with another body → 422; while the first is
 * still running → 409. A failed attempt releases the key; one abandoned by a dead process is taken
 * over after STALE_SECONDS (the work's transaction is far shorter, so two can never both create).
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const TTL_HOURS = 24;
const STALE_SECONDS = 120;

export function requestHash(operation: string, input: unknown): string {
  return hash("sha256", canonicalize({ operation, input }) ?? "", "hex");
}

export type Claim<T> = { kind: "claimed" } | { kind: "replay"; response: T };

async function claim<T>(db: Db, scope: string, key: string, hash: string): Promise<Claim<T>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimed = await db.$queryRawUnsafe<{ key: string }[]>(
      `INSERT INTO "idempotency_key" ("client_id", "key", "request_hash", "expires_at") VALUES ($1, $2, $3, now() + make_interval(hours => ${TTL_HOURS}))
       ON CONFLICT ("client_id", "key") DO UPDATE SET "request_hash" = EXCLUDED."request_hash", "status" = NULL, "response" = NULL,
         "created_at" = now(), "expires_at" = EXCLUDED."expires_at"
       WHERE "idempotency_key"."expires_at" <= now()
          OR ("idempotency_key"."response" IS NULL AND "idempotency_key"."created_at" < now() - make_interval(secs => ${STALE_SECONDS}))
       RETURNING "key"`,
      scope,
      key,
      hash,
    );
    if (claimed.length === 1) return { kind: "claimed" };
    const existing = await db.idempotencyKey.findUnique({ where: { clientId_key: { clientId: scope, key } } });
    if (!existing) continue; // released between the two statements: claim again
    if (existing.requestHash !== hash) {
      throw new AppError("UNPROCESSABLE", "This Idempotency-Key was already used with a different request body; use a new key for a new request.");
    }
    if (existing.response === null) throw new AppError("CONFLICT", "A request with this Idempotency-Key is still in progress; retry shortly.");
    return { kind: "replay", response: existing.response as T };
  }
  throw new AppError("CONFLICT", "This Idempotency-Key is contended; retry shortly.");
}

/** Stores the response inside the work's transaction, so it commits with the work or not at all. */
async function complete(tx: Tx, scope: string, key: string, hash: string, response: unknown) {
  const n = await tx.$executeRawUnsafe(
    `UPDATE "idempotency_key" SET "status" = 200, "response" = $4::jsonb
      WHERE "client_id" = $1 AND "key" = $2 AND "request_hash" = $3 AND "response" IS NULL`,
    scope,
    key,
    hash,
    JSON.stringify(response),
  );
  if (n !== 1) throw new AppError("CONFLICT", "This Idempotency-Key was taken over by another request; retry to see its response.");
}

export async function withIdempotency<T>(
  db: Db,
  opts: { scope: string; key: string; hash: string },
  run: (complete: (tx: Tx, response: T) => Promise<void>) => Promise<T>,
  onReplay: (response: T) => Promise<void>,
): Promise<T> {
  const { scope, key, hash } = opts;
  const claimed = await claim<T>(db, scope, key, hash);
  if (claimed.kind === "replay") {
    await onReplay(claimed.response);
    return claimed.response;
  }
  try {
    return await run((tx, response) => complete(tx, scope, key, hash, response));
  } catch (err) {
    await db
      .$executeRawUnsafe(`DELETE FROM "idempotency_key" WHERE "client_id" = $1 AND "key" = $2 AND "request_hash" = $3 AND "response" IS NULL`, scope, key, hash)
      .catch((e: Error) => console.warn(`[idempotency] key not released: ${e.message}`));
    throw err;
  }
}
