import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";

/**
 * The embedded Postgres (PGlite) on a data folder. PGlite is one process and one connection: a
 * second process opening the same folder silently loses writes, so the folder is locked by the
 * process that owns it (`pg.lock` holds its pid). The CLI checks the lock and, when the app holds
 * it, sends its command to the app instead (src/cli/transport.ts).
 */
export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly pid: number,
    readonly dir: string,
  ) {
    super(`The embedded database in ${dir} is open in process ${pid}.`);
  }
}

export function lockPath(dataDir: string) {
  return path.join(dataDir, "pg.lock");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid holding the folder, or null when it is free (a stale lock of a dead process is free). */
export function embeddedOwner(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(lockPath(dataDir), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function takeLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockPath(dataDir);
  const owner = embeddedOwner(dataDir);
  if (owner !== null) throw new EmbeddedDatabaseBusyError(owner, dataDir);
  rmSync(file, { force: true });
  const fd = openSync(file, "wx", 0o600); // exclusive: two starters racing cannot both win
  writeSync(fd, String(process.pid));
  closeSync(fd);
  const release = () => {
    try {
      if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
  };
  process.once("exit", release);
  return release;
}

export async function openEmbedded(dataDir: string): Promise<{ pglite: PGlite; release: () => void }> {
  const release = takeLock(dataDir);
  try {
    const pglite = await PGlite.create(path.join(dataDir, "pg"), { extensions: { vector } });
    return { pglite, release };
  } catch (err) {
    release();
    throw err;
  }
}
