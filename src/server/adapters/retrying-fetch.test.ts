import { describe, expect, it } from "vitest";
import { retryingFetch } from "./retrying-fetch";

function scripted(answers: Array<Response | Error>) {
  const seen: string[] = [];
  const base = async (url: string) => {
    seen.push(url);
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    return next;
  };
  return { base, seen };
}

describe("retryingFetch", () => {
  it("retries 429 and 5xx, then returns the success", async () => {
    const { base, seen } = scripted([new Response("", { status: 429, headers: { "retry-after": "0" } }), new Response("", { status: 502 }), new Response("ok")]);
    const res = await retryingFetch({ baseDelayMs: 1 }, base)("http://x/a", { method: "POST", body: "{}" });
    expect(await res.text()).toBe("ok");
    expect(seen).toHaveLength(3);
  });

  it("returns other 4xx at once", async () => {
    const { base, seen } = scripted([new Response("bad", { status: 400 }), new Response("ok")]);
    expect((await retryingFetch({ baseDelayMs: 1 }, base)("http://x/a")).status).toBe(400);
    expect(seen).toHaveLength(1);
  });

  it("honours retry-after-ms and Retry-After, capped at maxDelayMs", async () => {
    const delays: number[] = [];
    const { base } = scripted([
      new Response("", { status: 429, headers: { "retry-after-ms": "25" } }),
      new Response("", { status: 429, headers: { "retry-after": "3600" } }),
      new Response("", { status: 503, headers: { "retry-after": new Date(Date.now() + 3_600_000).toUTCString() } }),
      new Response("ok"),
    ]);
    const f = retryingFetch({ maxDelayMs: 40, onRetry: (r) => delays.push(r.delayMs) }, base);
    expect((await f("http://x/a")).status).toBe(200);
    expect(delays).toEqual([25, 40, 40]);
  });

  it("retries network failures and gives up after maxRetries, returning the last answer or error", async () => {
    const down = scripted([new TypeError("fetch failed"), new TypeError("fetch failed"), new TypeError("fetch failed")]);
    await expect(retryingFetch({ baseDelayMs: 1, maxRetries: 2 }, down.base)("http://x/a")).rejects.toThrow("fetch failed");
    expect(down.seen).toHaveLength(3);
    const busy = scripted([new Response("", { status: 500 }), new Response("", { status: 500 })]);
    expect((await retryingFetch({ baseDelayMs: 1, maxRetries: 1 }, busy.base)("http://x/a")).status).toBe(500);
  });

  it("stops waiting when the caller aborts", async () => {
    const { base } = scripted([new Response("", { status: 429, headers: { "retry-after": "30" } }), new Response("ok")]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("caller gave up")), 20);
    await expect(retryingFetch({}, base)("http://x/a", { signal: controller.signal })).rejects.toThrow("caller gave up");
  });
});
