import { utimesSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps, type Deps } from "@/server/deps";
import { startAppServer, type AppServer } from "../../../tests/support/app-server";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { freePortOnLoopback } from "../../../tests/support/free-port";
import { TempGitRepo } from "../../../tests/support/git-repo";
import { EXIT, type ApiFailure } from "./api";
import { MIN_PUSH_INTERVAL_MS, Syncer, watchAndSync } from "./sync";
import { pollUntil, type Check } from "../../../tests/support/until";

/** `cursor sync` against the app on a real port, from a real git checkout made here. */

let deps: Deps;
let app: AppServer;
/** Arrival times of PUT /ai/cursor/session, as the server saw them. */
const pushes: number[] = [];
let writerKey: string;
let readerKey: string;

beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
  app = await startAppServer({ onRequest: (method, p) => void (method === "PUT" && p === "/ai/cursor/session" && pushes.push(Date.now())) });
  const rateLimits = { write: 10_000, read: 10_000 };
  writerKey = (await makeKey(deps, ["cursor:write"], { rateLimits })).key;
  readerKey = (await makeKey(deps, ["context:read"], { rateLimits })).key;
});
afterAll(async () => {
  await app.close();
  await closeDeps(deps);
});

function repo(): TempGitRepo {
  const r = new TempGitRepo();
  r.write({ "src/a.ts": "export function a() {\n  return 1;\n}\n", "README.md": "# demo\n" });
  r.commit("first");
  r.git("checkout", "-q", "-b", "feature/sync");
  return r;
}

async function readSession(id: string) {
  const res = await fetch(`${app.url}/ai/cursor/session?sessionId=${id}`, { headers: { "x-api-key": readerKey } });
  return {
    status: res.status,
    body: (await res.json()) as {
      branch: string;
      head: string;
      activeFile: string | null;
      changedFiles: { path: string; status: string; additions: number | null; symbols: string[] }[];
      version: number;
    },
  };
}

const until = <T>(what: string, check: Check<T>, ms = 20_000) => pollUntil(what, check, ms, 100);

const quiet = () => {};

describe("cursor sync", () => {
  it("pushes branch, head, changed files with line counts and symbols, and the active file", async () => {
    const r = repo();
    try {
      const head = r.git("rev-parse", "HEAD").trim();
      r.write({ "src/a.ts": "export function a() {\n  return 2;\n}\n", "src/new.ts": "export const b = 1;\n" });
      utimesSync(path.join(r.dir, "src/a.ts"), new Date(), new Date(Date.now() + 5_000)); // the last one edited
      const id = `sync-${Date.now()}`;
      await new Syncer({ server: { url: app.url, key: writerKey }, dir: r.dir, sessionId: id, log: quiet }).push();
      const { status, body } = await readSession(id);
      expect(status).toBe(200);
      expect(body).toMatchObject({ branch: "feature/sync", head, activeFile: "src/a.ts" });
      expect(body.changedFiles).toEqual([
        { path: "src/a.ts", status: "modified", additions: 1, deletions: 1, symbols: ["a"] },
        { path: "src/new.ts", status: "untracked", additions: 1, deletions: 0, symbols: ["b"] },
      ]);

      await new Syncer({ server: { url: app.url, key: writerKey }, dir: r.dir, sessionId: id, file: "README.md", log: quiet }).push();
      expect((await readSession(id)).body.activeFile).toBe("README.md");
    } finally {
      r.cleanup();
    }
  });

  it("exits with a code of its own for a refused key, a missing scope and an unreachable server", async () => {
    const r = repo();
    try {
      const push = (url: string, key: string) =>
        new Syncer({ server: { url, key }, dir: r.dir, sessionId: "codes", log: quiet }).push().then(
          () => null,
          (e: ApiFailure) => e.exitCode,
        );
      expect(await push(app.url, `oo_${"Z".repeat(43)}`)).toBe(EXIT.unauthorized);
      expect(await push(app.url, readerKey)).toBe(EXIT.forbidden);
      expect(await push(`http://127.0.0.1:${await freePortOnLoopback()}`, writerKey)).toBe(EXIT.unreachable);
    } finally {
      r.cleanup();
    }
  });

  it("waits out a 429's Retry-After and pushes again", async () => {
    const r = repo();
    const arrivals: number[] = [];
    // a receiver that refuses the first push as a rate limit, then relays to the app
    const receiver = http.createServer((req, res) => {
      arrivals.push(Date.now());
      if (arrivals.length === 1)
        return void res.writeHead(429, { "retry-after": "1", "content-type": "application/json" }).end(JSON.stringify({ error: { code: "RATE_LIMITED", message: "slow down" } }));
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void fetch(`${app.url}${req.url}`, { method: req.method, headers: { "x-api-key": writerKey, "content-type": "application/json" }, body: Buffer.concat(chunks) }).then(async (answer) => {
          res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
        });
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const lines: string[] = [];
      const id = `limited-${Date.now()}`;
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      await new Syncer({ server: { url, key: writerKey }, dir: r.dir, sessionId: id, log: (l) => lines.push(l) }).push();
      expect(arrivals).toHaveLength(2);
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(900); // it waited, rather than retrying at once
      expect(lines[0]).toMatch(/rate limited; waiting 1 s/);
      expect((await readSession(id)).status).toBe(200);
    } finally {
      receiver.close();
      r.cleanup();
    }
  });

  it("--watch pushes after an edit, and at most once a second under a burst of 100 edits", async () => {
    const r = repo();
    const abort = new AbortController();
    const id = `watch-${Date.now()}`;
    const watching = watchAndSync({ server: { url: app.url, key: writerKey }, dir: r.dir, sessionId: id, log: quiet }, abort.signal);
    try {
      await until("the first push", async () => (await readSession(id)).status === 200);
      await sleep(1_500);
      const before = pushes.length;
      r.write({ "src/edited.ts": "export function edited() {}\n" });
      await until("a push after the edit", async () => (await readSession(id)).body.changedFiles?.some((f) => f.path === "src/edited.ts"));

      await sleep(1_200);
      const burstStart = pushes.length;
      const started = Date.now();
      for (let i = 0; i < 100; i++) {
        r.write({ "src/burst.ts": `export const n = ${i};\n` });
        await sleep(10);
      }
      // the last edit of the burst is pushed
      await until("the burst's last state", async () => (await readSession(id)).body.changedFiles?.some((f) => f.path === "src/burst.ts" && f.additions === 1));
      const elapsed = Date.now() - started;
      const burst = pushes.slice(burstStart);
      expect(burst.length).toBeGreaterThan(0);
      expect(burst.length).toBeLessThanOrEqual(Math.ceil(elapsed / MIN_PUSH_INTERVAL_MS) + 1);
      expect(pushes.length).toBeGreaterThan(before);
    } finally {
      abort.abort();
      await watching;
      r.cleanup();
    }
  });

  it("--watch keeps retrying a server that is down or stopped and pushes once it is back", async () => {
    const r = repo();
    const port = await freePortOnLoopback();
    const abort = new AbortController();
    const lines: string[] = [];
    const id = `retry-${Date.now()}`;
    const watching = watchAndSync({ server: { url: `http://127.0.0.1:${port}`, key: writerKey }, dir: r.dir, sessionId: id, log: (l) => lines.push(l) }, abort.signal);
    let late: AppServer | null = null;
    try {
      await until("a failed attempt", async () => lines.some((l) => l.includes("Cannot reach")));
      late = await startAppServer({ port });
      await until("the push after the server came back", async () => (await readSession(id)).status === 200, 40_000);
      expect(lines.some((l) => /Retrying in \d+ s/.test(l))).toBe(true);

      // stopped while watching: the edit made meanwhile arrives once it is back
      await late.close();
      const failedBefore = lines.filter((l) => l.includes("Cannot reach")).length;
      r.write({ "src/during-outage.ts": "export const down = true;\n" });
      await until("a failed push during the outage", async () => lines.filter((l) => l.includes("Cannot reach")).length > failedBefore);
      late = await startAppServer({ port });
      await until("the outage's edit", async () => (await readSession(id)).body.changedFiles?.some((f) => f.path === "src/during-outage.ts"), 40_000);
    } finally {
      abort.abort();
      await watching;
      await late?.close();
      r.cleanup();
    }
  });
});
