import type { Db } from "@/server/adapters/db";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import type { Actor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import type { SnapshotCache } from "@/server/core/snapshot";

/**
 * Who may use a context scope. `global` and `repo:` scopes are shared by every caller holding the
 * context scopes. `client:<id>` belongs to that client, `session:<id>` to the client that wrote it first;
 * other API keys see neither (404 on reads, 403 on writes) unless an admin granted them the scope
 * (context_grant). A session nobody owns yet is readable by no API key (its history in the audit log
 * outlives the owner record). Dashboard users see what their role allows: humans review every agent's context.
 */
export type ScopeAccess = "read" | "write";

/** The client a session scope belongs to, kept beside the entries in the shared store. */
export const sessionOwnerKey = (scope: string) => `ctx:owner:${scope}`;

const isShared = (scope: string) => scope === "global" || scope.startsWith("repo:");
const foreignScope = (scope: string) => new AppError("FORBIDDEN", `Scope ${scope} belongs to another client; an admin can share it with yours (context grants).`);

/** Which change a watcher is checking: its scope's number and time (a reset log reuses numbers). */
export interface ChangeRef {
  seq?: number;
  at: string;
}

interface AccessDeps {
  db: Db;
  kv: KeyValueStore;
  snapshots: SnapshotCache;
  env: { CONTEXT_MAX_TTL_SECONDS: number };
}

/** One caller's view of the scopes, for one request: grants and session owners are read once each. */
export class ScopeGuard {
  private grants: Promise<Map<string, ScopeAccess>> | undefined;
  private readonly owners = new Map<string, Promise<string | null>>();

  constructor(
    private readonly deps: AccessDeps,
    private readonly actor: Actor,
  ) {}

  private clientId(): string | null {
    return this.actor.type === "api_key" ? this.actor.clientId : null;
  }

  /** Callers with the same view see the same scopes: one API client (its grants, its sessions), or every dashboard user. */
  get view(): string {
    const clientId = this.clientId();
    return clientId === null ? "all" : `client:${clientId}`;
  }

  private grantOf(scope: string): Promise<ScopeAccess | undefined> {
    const clientId = this.clientId()!;
    this.grants ??= this.deps.db.contextGrant.findMany({ where: { clientId } }).then((rows) => new Map(rows.map((g) => [g.scope, g.access as ScopeAccess])));
    return this.grants.then((m) => m.get(scope));
  }

  ownerOf(scope: string): Promise<string | null> {
    let owner = this.owners.get(scope);
    if (!owner) this.owners.set(scope, (owner = this.deps.kv.get(sessionOwnerKey(scope))));
    return owner;
  }

  /**
   * The session owner as read for one change, the read shared by every watcher of this instance that
   * checks that change while it is in flight (20 streams on a scope: one read, not 20). Each such read
   * starts after the change arrived, so it is as fresh as a watcher's own; once it answers, the next
   * check reads again. A reset log reuses numbers, so the change's time is part of its name.
   */
  private ownerAtChange(scope: string, change: Required<ChangeRef>): Promise<string | null> {
    return this.deps.snapshots.joined(`ctx:owner-at-change:${scope}#${change.seq}@${change.at}`, () => this.deps.kv.get(sessionOwnerKey(scope)));
  }

  async can(scope: string, access: ScopeAccess): Promise<boolean> {
    const clientId = this.clientId();
    if (clientId === null || isShared(scope) || scope === `client:${clientId}`) return true;
    if (scope.startsWith("session:") && (await this.ownerOf(scope)) === clientId) return true;
    const grant = await this.grantOf(scope);
    return grant === "write" || (grant === "read" && access === "read");
  }

  /**
   * Watching may begin on a session nobody owns yet (an agent listening before its first write); each
   * event is then shown only while `can` allows, read afresh, so another client's writes stay hidden.
   * Given the change being checked, the owner read is shared with the other watchers checking it.
   */
  async assertWatch(scope: string, notFound: string): Promise<(change?: ChangeRef) => Promise<boolean>> {
    const unowned = scope.startsWith("session:") && (await this.ownerOf(scope)) === null;
    if (!unowned) await this.assertRead(scope, notFound);
    return async (change) => {
      if (change?.seq !== undefined && scope.startsWith("session:")) this.owners.set(scope, this.ownerAtChange(scope, { seq: change.seq, at: change.at }));
      else this.owners.delete(scope);
      this.grants = undefined;
      return this.can(scope, "read");
    };
  }

  /** Reads of a scope the caller may not see answer as if it held nothing: `notFound` is that answer. */
  async assertRead(scope: string, notFound: string): Promise<void> {
    if (!(await this.can(scope, "read"))) throw new AppError("NOT_FOUND", notFound);
  }

  /**
   * Before a write: 403 on another client's scope. The first API-key write to a session scope makes
   * its client the owner (atomically: of two first writers, one wins); each write by a permitted
   * client keeps the owner record alive as long as the longest entry it may have written.
   */
  async assertWrite(scope: string): Promise<void> {
    const clientId = this.clientId();
    if (clientId === null || isShared(scope)) return;
    if (scope.startsWith("session:")) {
      const ttlMs = this.deps.env.CONTEXT_MAX_TTL_SECONDS * 1000;
      // taken when free, renewed when the caller's: one round trip on every heartbeat of an IDE session
      const owner = await this.deps.kv.claim(sessionOwnerKey(scope), clientId, ttlMs);
      this.owners.set(scope, Promise.resolve(owner));
      if (owner === clientId) return;
      if ((await this.grantOf(scope)) === "write") {
        await this.deps.kv.set(sessionOwnerKey(scope), owner, { ttlMs });
        return;
      }
      throw foreignScope(scope);
    }
    if (!(await this.can(scope, "write"))) throw foreignScope(scope);
  }
}
