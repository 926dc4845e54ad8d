import { createHash, randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
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
 * with 16 MB). It did not make a server's first start on a new folder fit 512 MB (`initdb` did not fit): the
 * template below did; docs/deploy.md has the figures.
 */
const SHARED_BUFFERS = "32MB";
const options = () => ({ extensions: { vector }, startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${SHARED_BUFFERS}`] });

/**
 * A new data folder starts from a template: the data folder of a fresh, empty cluster, as a tarball
 * (PGlite's `dumpDataDir`), which PGlite unpacks into the folder (`loadDataDir`) instead of running
 * `initdb`. Its `initdb` runs in two more WebAssembly instances beside the database's own: opening a new
 * folder peaked at 820–847 MB of RSS by `initdb` and 420–424 MB from the template, in 1.4–1.6 s instead of
 * 2.6–3.2 s, and a server's first start fits a 512 MB container, where it was killed (docs/deploy.md).
 *
 * `npm run build` makes the template (scripts/pglite-template.ts) because the first start is the one that
 * must not need the memory, and a build machine that runs `next build` has it to spare. Without one (a
 * start with no build: `npm run dev`, the CLI, tests), a new folder or an in-memory database runs `initdb`
 * as before and then writes the template from its still empty cluster, so the next one skips it.
 * A template is never migrated: migrations run after opening, on every database alike.
 *
 * The template lives under the project (`.cache/pglite`, git-ignored), not in the data folder: a disk
 * mounted there would hide what the build wrote. Its name carries the installed PGlite's version and
 * a digest of the options above, so an upgrade or another buffer pool never opens an old template
 * (a cluster is only readable by the Postgres build that wrote it); a template named otherwise is ignored,
 * and removed when a current one is written.
 */
export const TEMPLATE_DIR = path.join(process.cwd(), ".cache", "pglite");

/**
 * The installed PGlite's version, from its package.json under the project's node_modules (where npm puts
 * a direct dependency), read by path: a bundler rewrites `require.resolve` in the server's build.
 * Null when it cannot be read: then no template is used or written.
 */
function pgliteVersion(): string | null {
  try {
    const file = path.join(process.cwd(), "node_modules", "@electric-sql", "pglite", "package.json");
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    return pkg.name === "@electric-sql/pglite" && typeof pkg.version === "string" ? pkg.version : null;
  } catch {
    return null;
  }
}

/** The template's file for this PGlite and these options (null when PGlite's version is unknown). */
export function templateFile(dir = TEMPLATE_DIR): string | null {
  const version = pgliteVersion();
  if (!version) return null;
  const o = options();
  const digest = createHash("sha256")
    .update(JSON.stringify({ startParams: o.startParams, extensions: Object.keys(o.extensions) }))
    .digest("hex")
    .slice(0, 12);
  return path.join(dir, `pglite-${version}-${digest}.tar.gz`);
}

/**
 * The template, checked before PGlite sees it: PGlite's own decompression leaves a rejected promise
 * unhandled on a damaged file, which would end the process. Gunzip checks the whole file against its
 * checksum; only the first block of the tar is kept (to see it is one), so the check holds no second copy
 * of the cluster at the moment memory peaks.
 */
async function readTemplate(file: string): Promise<Blob | undefined> {
  try {
    const gzipped = await readFile(file);
    let head = Buffer.alloc(0);
    const keepHead = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (head.length < 512) head = Buffer.concat([head, chunk]).subarray(0, 512);
        done();
      },
    });
    await pipeline(Readable.from([gzipped]), createGunzip(), keepHead);
    return head.subarray(257, 262).toString("latin1") === "ustar" ? new Blob([gzipped], { type: "application/x-gzip" }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the template from a cluster just made by `initdb`, before anything else runs on it. A CHECKPOINT
 * first, so the files hold everything and a database opened from them has no WAL to replay. Written to a
 * temporary file of its own and renamed, so concurrent writers (parallel test files) never expose a partial one.
 * It is only a shortcut: when it cannot be written (a read-only install), the next new folder runs `initdb`.
 */
async function writeTemplate(pglite: PGlite, file: string): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await pglite.exec("CHECKPOINT");
    const tarball = await pglite.dumpDataDir("gzip");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, Buffer.from(await tarball.arrayBuffer()));
    renameSync(temporary, file);
    for (const name of readdirSync(path.dirname(file))) {
      if (name.startsWith("pglite-") && name.endsWith(".tar.gz") && name !== path.basename(file)) rmSync(path.join(path.dirname(file), name), { force: true });
    }
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** How a database was opened: an existing cluster, a new one from the template, or a new one by `initdb`. */
export type Started = "existing" | "template" | "initdb";

/**
 * Opens a new cluster (in memory, or on an empty folder) from the template when there is one, else by
 * `initdb`, writing the template. A template that cannot be read or fails to open (a damaged file) is
 * removed, and whatever it unpacked into the folder too, and the cluster is made by `initdb`.
 */
async function openNew(dataDir: string | undefined, templates: string): Promise<{ pglite: PGlite; started: Started }> {
  const file = templateFile(templates);
  if (file && existsSync(file)) {
    const loadDataDir = await readTemplate(file);
    if (loadDataDir) {
      try {
        return { pglite: await PGlite.create({ ...options(), dataDir, loadDataDir }), started: "template" };
      } catch {
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    }
    rmSync(file, { force: true });
  }
  const pglite = await PGlite.create({ ...options(), dataDir });
  if (file) await writeTemplate(pglite, file);
  return { pglite, started: "initdb" };
}

/** An embedded Postgres in memory, gone when the process ends (tests, benches). */
export const openInMemory = async ({ templates = TEMPLATE_DIR } = {}) => (await openNew(undefined, templates)).pglite;

/** A folder with nothing in it yet: missing or empty. One with anything in it is left to PGlite, as before. */
function isNew(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return !existsSync(dir);
  }
}

export async function openEmbedded(dataDir: string, { templates = TEMPLATE_DIR } = {}): Promise<{ pglite: PGlite; release: () => void; started: Started }> {
  const release = takeLock(dataDir);
  try {
    const dir = path.join(dataDir, "pg");
    if (isNew(dir)) return { ...(await openNew(dir, templates)), release };
    // PGlite's own way, as before: a cluster it made, or its initdb in a folder with files but no cluster
    const started: Started = existsSync(path.join(dir, "PG_VERSION")) ? "existing" : "initdb";
    return { pglite: await PGlite.create(dir, options()), release, started };
  } catch (err) {
    release();
    throw err;
  }
}
