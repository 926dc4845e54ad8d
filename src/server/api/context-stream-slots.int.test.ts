import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "@/server/adapters/kv";
import { setDeps, type Deps } from "@/server/deps";
import { startAppServer, type AppServer } from "../../../tests/support/app-server";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";

/**
 * The per-key limit of open context streams under concurrent opens, over a real port: on the shared
 * store this file runs with (Redis when TEST_REDIS_URL is set) and on the in-process store.
 */

const LIMIT = 4;
const OPENS = 12;
let base: Deps;
let app: AppServer;

beforeAll(async () => {
  base = await testDeps({ CONTEXT_STREAM_MAX_PER_KEY: String(LIMIT) });
  app = await startAppServer();
});
afterAll(async () => {
  await app.close();
  await closeDeps(base);
});

const stores = [
  { name: `the configured store (${process.env.TEST_REDIS_URL ? "Redis" : "in-process"})`, kv: () => base.kv },
  { name: "the in-process store", kv: () => createMemoryStore() },
];

describe.each(stores)("context stream slots on $name", ({ kv }) => {
  beforeAll(() => setDeps({ ...base, kv: kv() }));

  const open = (key: string, signal: AbortSignal) => fetch(`${app.url}/ai/context/stream?scope=global`, { headers: { "x-api-key": key }, signal });

  it(`of ${OPENS} streams opened at once with a limit of ${LIMIT}, exactly ${LIMIT} are admitted; closing one frees its slot`, async () => {
    const reader = await makeKey(base, ["context:read"], { rateLimits: { read: 100_000 } });
    const aborts = Array.from({ length: OPENS }, () => new AbortController());
    const answers = await Promise.all(aborts.map((a) => open(reader.key, a.signal)));
    const admitted = answers.flatMap((r, i) => (r.status === 200 ? [i] : []));
    const refused = answers.filter((r) => r.status !== 200);
    expect(admitted).toHaveLength(LIMIT);
    expect(refused).toHaveLength(OPENS - LIMIT);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    }

    // still full: another open is refused
    const extra = new AbortController();
    expect((await open(reader.key, extra.signal)).status).toBe(429);

    // the client of one admitted stream goes away: its slot comes back, and only one
    aborts[admitted[0]!]!.abort();
    let replacement: Response | null = null;
    const deadline = Date.now() + 10_000;
    while (!replacement && Date.now() < deadline) {
      const attempt = new AbortController();
      const r = await open(reader.key, attempt.signal);
      if (r.status === 200) {
        replacement = r;
        aborts.push(attempt);
      } else {
        await r.body?.cancel();
        await sleep(50);
      }
    }
    expect(replacement?.status).toBe(200);
    const over = await open(reader.key, extra.signal);
    expect(over.status).toBe(429);
    await over.body?.cancel();

    // another key has slots of its own
    const other = await makeKey(base, ["context:read"], { rateLimits: { read: 100_000 } });
    const own = new AbortController();
    expect((await open(other.key, own.signal)).status).toBe(200);
    own.abort();
    for (const a of aborts) a.abort();
  });
});
