/**
 * Writes the embedded database's template (a fresh, empty cluster as a tarball) before `next build`, so
 * a server's first start on a new data folder unpacks it instead of running `initdb`, whose memory peak
 * does not fit a 512 MB container (src/server/adapters/db/embedded.ts says why and where it lives).
 * A template that is already there for this PGlite and these options is kept (opening it checks it).
 * It is a shortcut, not a requirement: when it cannot be made (even when this process is killed, as
 * package.json's prebuild goes on), the build goes on and a new folder runs `initdb` as before. A build for
 * a real Postgres (DATABASE_URL set) has no use for it and does not spend `initdb`'s memory on it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { openInMemory, templateFile } from "@/server/adapters/db/embedded";

if (process.env.DATABASE_URL) console.log("PGlite template: not needed (DATABASE_URL is set)");
else
  try {
    const pglite = await openInMemory();
    await pglite.close();
    const file = templateFile();
    console.log(file && existsSync(file) ? `PGlite template: ${path.relative(process.cwd(), file)}` : "PGlite template: not written; a new data folder will run initdb");
  } catch (err) {
    console.warn(`PGlite template: not made (${(err as Error).message}); a new data folder will run initdb`);
  }
