import { env as loadEnv } from "@/env";
import { readAdminLink } from "@/server/adapters/db/admin-link";
import { embeddedOwner } from "@/server/adapters/db/embedded";
import { runAdminCommand, type AdminCommand, type AdminHooks } from "@/server/api/commands";
import { systemActor } from "@/server/core/auth/actor";
import { createDeps, type Deps } from "@/server/deps";
import { randomUUID } from "node:crypto";

export class CliError extends Error {}

/**
 * Runs an operator command where it is safe: on a real Postgres, in this process; on the embedded
 * database, in this process only when no app holds it, otherwise by asking the app that does
 * (a second process must never open the same PGlite folder).
 */
export interface ExecuteOptions {
  timeoutMs?: number;
  /** Hooks for a command run in this process. */
  hooks?: AdminHooks;
  /** While the app runs a long command, ask it this every `everyMs` (e.g. index progress). */
  poll?: { cmd: AdminCommand; everyMs: number; onResult: (result: unknown) => void };
}

export async function execute(cmd: AdminCommand, opts: ExecuteOptions = {}): Promise<unknown> {
  const e = loadEnv();
  if (!e.databaseUrl) {
    const owner = embeddedOwner(e.dataDir);
    if (owner !== null) return viaAppPolling(e.dataDir, owner, cmd, opts);
  }
  const deps = await createDeps({ env: e });
  try {
    return await runAdminCommand(deps, { actor: systemActor("cli"), requestId: randomUUID(), surface: "cli" }, cmd, opts.hooks);
  } finally {
    await deps.database.close();
    await deps.kv.close();
  }
}

/**
 * Runs `fn` on deps opened in this process, for commands that stream more than the app's admin
 * route should answer in one response; refused while the app holds the embedded database.
 */
export async function withLocalDeps<T>(what: string, fn: (deps: Deps) => Promise<T>): Promise<T> {
  const e = loadEnv();
  if (!e.databaseUrl && embeddedOwner(e.dataDir) !== null) throw new CliError(`${what} opens the database itself: stop the app first, or set DATABASE_URL.`);
  const deps = await createDeps({ env: e });
  try {
    return await fn(deps);
  } finally {
    await deps.database.close();
    await deps.kv.close();
  }
}

async function viaAppPolling(dataDir: string, pid: number, cmd: AdminCommand, opts: ExecuteOptions): Promise<unknown> {
  const poll = opts.poll;
  const timer = poll && setInterval(() => void viaApp(dataDir, pid, poll.cmd).then(poll.onResult, () => {}), poll.everyMs);
  try {
    return await viaApp(dataDir, pid, cmd, opts.timeoutMs);
  } finally {
    if (timer) clearInterval(timer);
  }
}

async function viaApp(dataDir: string, pid: number, cmd: AdminCommand, timeoutMs = 30_000): Promise<unknown> {
  const link = readAdminLink(dataDir);
  if (!link || link.pid !== pid) throw new CliError(`The app (pid ${pid}) holds the embedded database but has not published its admin link yet; try again in a moment.`);
  let res: Response;
  try {
    res = await fetch(`${link.url}/api/admin/cli`, {
      method: "POST",
      headers: { authorization: `Bearer ${link.token}`, "content-type": "application/json" },
      body: JSON.stringify(cmd),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new CliError(`The app (pid ${pid}) holds the embedded database but does not answer at ${link.url}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { result?: unknown; error?: { message: string } };
  if (!res.ok) throw new CliError(body.error?.message ?? `The app answered ${res.status}.`);
  return body.result;
}
