import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { freePortOnLoopback } from "./free-port";

/**
 * A Redis server of the test's own (`redis-server` on a free port, nothing persisted), so a test can
 * kill it mid-run without touching the shared Redis others use. `kill` is a crash (SIGKILL);
 * `start` brings it back on the same port.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on("error", () => done(false));
    s.on("data", (d) => done(d.toString().startsWith("+PONG")));
    s.on("connect", () => s.write("PING\r\n"));
  });
}

export async function startPrivateRedis(opts: { port?: number } = {}): Promise<PrivateRedis> {
  const port = opts.port ?? (await freePortOnLoopback());
  let child: ChildProcess | null = null;
  let log = "";
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (child) return;
      log = "";
      const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      proc.stdout!.on("data", (d) => (log += d));
      proc.stderr!.on("data", (d) => (log += d));
      child = proc;
      const deadline = Date.now() + 10_000;
      while (!(await answersPing(port))) {
        if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}: ${log}`);
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer in time: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      const proc = child;
      if (!proc) return;
      child = null;
      if (proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGKILL");
      });
    },
    stop: () => redis.kill(),
  };
  await redis.start();
  return redis;
}
