import type { EventBus } from "@/server/adapters/events";
import type { ApiKey } from "@/generated/prisma/client";

/** Published (to every instance) whenever a key is revoked or otherwise changed. */
export const KEYS_CHANGED_CHANNEL = "auth.keys.changed";

/**
 * Keys recently read by hash, so an authenticated call does not read Postgres every time. Revocation
 * must still take effect at once on every instance, so the cache serves hits only while its
 * subscription to KEYS_CHANGED_CHANNEL is live (a change clears it everywhere), and trusts an entry
 * for at most `ttlMs` even then (a notification lost to a dropped listen connection heals by itself).
 * Expiry and the client-id header are checked on every call, cached or not. Misses are not cached.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { row: ApiKey; at: number }>();
  private live = false;
  private attaching: Promise<void> | null = null;

  constructor(
    private readonly events: EventBus,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string, now: number): ApiKey | null {
    if (!this.live) {
      this.attaching ??= this.attach();
      return null;
    }
    const hit = this.entries.get(hash);
    if (!hit || now - hit.at > this.ttlMs) return null;
    return hit.row;
  }

  set(hash: string, row: ApiKey, now: number) {
    if (!this.live) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(hash, { row, at: now });
  }

  clear() {
    this.entries.clear();
  }

  /** Clears this instance at once and tells the others. */
  async announceChange(detail: Record<string, string> = {}) {
    this.clear();
    await this.events.publish(KEYS_CHANGED_CHANNEL, detail).catch((err: unknown) => {
      // The other instances' entries still expire within ttlMs; say so rather than fail the revocation.
      console.warn(`[auth] could not announce a key change to other instances: ${(err as Error).message}`);
    });
  }

  private async attach() {
    try {
      await this.events.subscribe(KEYS_CHANGED_CHANNEL, () => this.clear());
      this.live = true;
    } catch {
      this.attaching = null; // try again on a later call; until then every call reads the database
    }
  }
}
