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

/**
 * Postgres's shared buffers in PGlite: 32 MB instead of its 128 MB. PGlite runs in the app's process, so
 * the buffer pool is the app's own resident memory; on a data folder the pages it drops stay in the OS's
 * page cache, one read away. Measured with this checkout indexed, ten code searches in flight: peak RSS
 * 496 MB with 128 MB, 417 MB with 32 MB, 373 MB with 16 MB, at the same CPU per search (8.8 ms; 9.4 ms
 * with 16 MB). A server on the embedded database still needs more than 512 MB: docs/deploy.md says how much.
 */
const SHARED_BUFFERS = "32MB";
const options = () => ({ extensions: { vector }, startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`] });

/** An embedded Postgres in memory, gone when the process ends (tests, benches). */
export const openInMemory = () => PGlite.create(options());

export async function openEmbedded(dataDir: string): Promise<{ pglite: PGlite; release: () => void }> {
  const release = takeLock(dataDir);
  try {
    const pglite = await PGlite.create(path.join(dataDir, "pg"), options());
    return { pglite, release };
  } catch (err) {
    release();
    throw err;
  }
}
