import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { freePortOnLoopback } from "../../support/free-port";
import { tmpdir } from "node:os";
import path from "node:path";

/** A real app server for the e2e tier: `next dev` on a free port, its own data and build folders. */
export interface AppServer {
  url: string;
  port: number;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  output: () => string;
  stop: () => Promise<void>;
}

/** A port free on 127.0.0.1 right now. */
export const freePort = freePortOnLoopback;

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "oo-e2e-"));
}

/** Starts the app; resolves once /api/health answers and startup (migrations, first admin) has run. */
/** `bindAll` starts it as `npm run dev` does (no -H: every interface, only `localhost` trusted by Next itself). */
export async function startApp(opts: { env?: Record<string, string>; dataDir?: string; port?: number; distDir?: string; bindAll?: boolean } = {}): Promise<AppServer> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? tempDataDir();
  // A build folder per server, removed when it stops. With one folder for all (each test file's server,
  // with its own env, starting on the cache the previous one left), now and then next dev recompiled and
  // reloaded the page in a loop (the sign-in page, 1,300 times in one CI run); the shared cache is the
  // suspect, not proven — no server shares anything with another now.
  const ownDist = opts.distDir === undefined;
  const distDir = opts.distDir ?? `${process.env.E2E_DIST_DIR ?? ".next-e2e"}-${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "development",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: distDir,
    DATA_DIR: dataDir,
    PORT: String(port),
    DATABASE_URL: "",
    POSTGRES_URL: "",
    REDIS_URL: "",
    ...opts.env,
  };
  let log = "";
  // kept on disk too (git-ignored), so a failed run in CI leaves the server's side of the story
  mkdirSync("test-results", { recursive: true });
  const logFile = createWriteStream(path.join("test-results", `next-dev-${port}.log`));
  const child: ChildProcess = spawn(process.execPath, ["node_modules/next/dist/bin/next", "dev", "-p", String(port), ...(opts.bindAll ? [] : ["-H", "127.0.0.1"])], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const keep = (d: Buffer) => {
    log += d;
    logFile.write(d);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.once("exit", () => {
    logFile.end();
    if (ownDist) rmSync(distDir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  // a loaded machine compiles slowly; E2E_STARTUP_TIMEOUT_MS gives it longer
  const deadline = Date.now() + Number(process.env.E2E_STARTUP_TIMEOUT_MS ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next dev exited with ${child.exitCode}:\n${log}`);
    try {
      // /ai/status runs through the whole stack, so startup is done once it answers (401 without a key)
      const res = await fetch(`${url}/ai/status`, { signal: AbortSignal.timeout(30_000) });
      if (res.status === 401) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid!, "SIGKILL"); // never leave a half-started server behind
      throw new Error(`next dev did not come up in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    port,
    dataDir,
    env,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        process.kill(-child.pid!, "SIGTERM");
        setTimeout(() => child.exitCode === null && process.kill(-child.pid!, "SIGKILL"), 5_000).unref();
      }),
  };
}
