import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "../../../../tests/support/services";
import { createMemoryEventBus, createPostgresEventBus, openEventStream, type EventBus } from "./index";
import { MAX_EVENT_BYTES } from "./types";

const url = testDatabaseUrl();

/** Resolves with the first `n` payloads a listener receives, or rejects after `ms`. */
function collect(bus: EventBus, channel: string, n: number, ms = 5_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const got: unknown[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${got.length}/${n} events on ${channel} within ${ms} ms`)), ms);
    void bus.subscribe(channel, (p) => {
      got.push(p);
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

const targets: { kind: string; skip: boolean; make: () => EventBus }[] = [
  { kind: "memory", skip: false, make: createMemoryEventBus },
  { kind: "postgres", skip: !url, make: () => createPostgresEventBus(url!) },
];

describe.each(targets)("EventBus contract: $kind", ({ skip, make }) => {
  const buses: EventBus[] = [];
  const open = () => {
    const bus = make();
    buses.push(bus);
    return bus;
  };
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });

  it.skipIf(skip)("delivers a channel's events, in order, to its subscribers only", async () => {
    const bus = open();
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    const wrong: unknown[] = [];
    await bus.subscribe(b, (p) => wrong.push(p));
    const got = collect(bus, a, 3);
    await sleep(50);
    for (const n of [1, 2, 3]) await bus.publish(a, { n, text: "héllo ✓" });
    expect(await got).toEqual([
      { n: 1, text: "héllo ✓" },
      { n: 2, text: "héllo ✓" },
      { n: 3, text: "héllo ✓" },
    ]);
    expect(wrong).toEqual([]);
  });

  it.skipIf(skip)("delivers 50 concurrent publishes, identical ones included, in publish order", async () => {
    const bus = open();
    const channel = `c-${randomUUID()}`;
    const got = collect(bus, channel, 50);
    await sleep(50);
    await Promise.all(Array.from({ length: 50 }, (_, i) => bus.publish(channel, i < 2 ? "same" : i)));
    expect(await got).toEqual(["same", "same", ...Array.from({ length: 48 }, (_, i) => i + 2)]);
  });

  it.skipIf(skip)("stops delivering after unsubscribe", async () => {
    const bus = open();
    const channel = `u-${randomUUID()}`;
    const got: unknown[] = [];
    const unsubscribe = await bus.subscribe(channel, (p) => got.push(p));
    await bus.publish(channel, 1);
    await sleep(300);
    unsubscribe();
    await bus.publish(channel, 2);
    await sleep(300);
    expect(got).toEqual([1]);
  });

  it.skipIf(skip)("keeps delivering when a listener throws", async () => {
    const bus = open();
    const channel = `t-${randomUUID()}`;
    await bus.subscribe(channel, () => {
      throw new Error("listener bug");
    });
    const got = collect(bus, channel, 2);
    await sleep(50);
    await bus.publish(channel, 1);
    await bus.publish(channel, 2);
    expect(await got).toEqual([1, 2]);
  });

  it.skipIf(skip)(`refuses payloads over ${MAX_EVENT_BYTES} bytes`, async () => {
    const bus = open();
    await expect(bus.publish("big", { blob: "x".repeat(MAX_EVENT_BYTES) })).rejects.toThrow(/limit/);
  });

  it.skipIf(skip)("streams events as an async iterable, listening from the moment it opens, ending when the signal aborts", async () => {
    const bus = open();
    const channel = `s-${randomUUID()}`;
    const abort = new AbortController();
    const stream = await openEventStream(bus, channel, abort.signal);
    // listening once opened: what is published now is delivered, even before the first next()
    await bus.publish(channel, "one");
    const first = stream.next();
    expect(await first).toEqual({ done: false, value: "one" });
    const second = stream.next();
    abort.abort();
    expect(await second).toEqual({ done: true, value: undefined });
  });
});

describe.skipIf(!url)("EventBus across processes (two Postgres connections)", () => {
  it("a subscriber on one bus sees what another bus publishes", async () => {
    const [a, b] = [createPostgresEventBus(url!), createPostgresEventBus(url!)];
    try {
      const channel = `x-${randomUUID()}`;
      const got: unknown[] = [];
      await a.subscribe(channel, (p) => got.push(p));
      // subscribe resolved, so a's LISTEN is in place: the very next publish reaches it
      await b.publish(channel, { from: "b" });
      for (let i = 0; i < 50 && got.length === 0; i++) await sleep(20);
      expect(got).toEqual([{ from: "b" }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
