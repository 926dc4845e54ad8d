// The stream listeners of bench/sessions.mjs, in a worker thread of their own: 20 streams parsing every
// event would otherwise share one event loop with the 100 writers and delay the timing of their PUTs.
// workerData: { url, key, count }. Posts { type: "ready" } once every stream has said so; on "stop" it
// aborts the streams and posts { type: "seen", seen: [[...]], errors, waitedMs }: each listener's "<scope>#<version>".
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register({ tsconfig: "tsconfig.json" });
const { readSse } = await import("../src/cli/cursor/sse.ts");

const { url, key, count } = workerData;
const seen = Array.from({ length: count }, () => new Set());
let errors = 0;
const abort = new AbortController();

const ready = seen.map(
  (set, i) =>
    new Promise((resolve) => {
      void (async () => {
        try {
          const res = await fetch(url, { headers: { "x-api-key": key }, signal: abort.signal });
          if (!res.ok) throw new Error(`listener ${i}: ${res.status} ${await res.text()}`);
          for await (const e of readSse(res.body)) {
            if (e.event === "ready") resolve();
            if (e.event === "put") {
              const ev = JSON.parse(e.data);
              set.add(`${ev.scope}#${ev.entry.version}`);
            }
          }
        } catch (err) {
          if (!abort.signal.aborted) {
            errors++;
            console.error(err.message);
            resolve();
          }
        }
      })();
    }),
);

// { type: "stop", expect, timeoutMs }: waits until every listener has every expected change (or the
// timeout), then stops; the answer says how long the last of them took to arrive after the writes ended
parentPort.on("message", async (msg) => {
  if (msg?.type !== "stop") return;
  const started = performance.now();
  const complete = () => seen.every((set) => msg.expect.every((c) => set.has(c)));
  while (!complete() && performance.now() - started < msg.timeoutMs) await new Promise((r) => setTimeout(r, 50));
  abort.abort();
  parentPort.postMessage({ type: "seen", seen: seen.map((s) => [...s]), errors, waitedMs: performance.now() - started });
  parentPort.close();
});
await Promise.all(ready);
parentPort.postMessage({ type: "ready" });
