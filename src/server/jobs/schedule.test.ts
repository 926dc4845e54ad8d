import { CronExpressionParser } from "cron-parser";
import { describe, expect, it, vi } from "vitest";
import { intervalSeconds, lastTick, nextTick, tickJobId, ticksBetween } from "./schedule";

const at = (iso: string) => new Date(iso);

describe("schedule arithmetic (UTC)", () => {
  it("lists the ticks in (from, to]: a tick on either edge is counted in exactly one window", () => {
    const every10 = "*/10 * * * * *";
    expect(ticksBetween(every10, at("2026-01-01T00:00:05Z"), at("2026-01-01T00:00:30Z")).map((d) => d.toISOString())).toEqual([
      "2026-01-01T00:00:10.000Z",
      "2026-01-01T00:00:20.000Z",
      "2026-01-01T00:00:30.000Z",
    ]);
    const first = ticksBetween(every10, at("2026-01-01T00:00:05Z"), at("2026-01-01T00:00:10Z"));
    const second = ticksBetween(every10, at("2026-01-01T00:00:10Z"), at("2026-01-01T00:00:15Z"));
    expect([...first, ...second].map((d) => d.toISOString())).toEqual(["2026-01-01T00:00:10.000Z"]);
  });

  it("finds the latest and the next tick, and the longest gap between ticks", () => {
    expect(lastTick("0 3 * * *", at("2026-01-02T02:59:59Z")).toISOString()).toBe("2026-01-01T03:00:00.000Z");
    expect(lastTick("0 3 * * *", at("2026-01-02T03:00:00Z")).toISOString()).toBe("2026-01-02T03:00:00.000Z");
    expect(nextTick("* * * * *", at("2026-01-01T00:00:30Z")).toISOString()).toBe("2026-01-01T00:01:00.000Z");
    expect(intervalSeconds("* * * * *")).toBe(60);
    expect(intervalSeconds("0 3 * * *")).toBe(86_400);
    expect(intervalSeconds("*/10 * * * * *")).toBe(10);
  });

  it("remembers the next tick and the interval of a schedule, and the remembered next tick stays right as time passes", () => {
    const parse = vi.spyOn(CronExpressionParser, "parse");
    try {
      const daily = "17 4 * * *";
      expect(nextTick(daily, at("2026-03-01T05:00:00Z")).toISOString()).toBe("2026-03-02T04:17:00.000Z");
      expect(nextTick(daily, at("2026-03-02T04:16:59.999Z")).toISOString()).toBe("2026-03-02T04:17:00.000Z");
      expect(parse).toHaveBeenCalledTimes(1);
      // at the tick itself the next one is a day later; before the remembered start, computed afresh
      expect(nextTick(daily, at("2026-03-02T04:17:00Z")).toISOString()).toBe("2026-03-03T04:17:00.000Z");
      expect(nextTick(daily, at("2026-02-28T00:00:00Z")).toISOString()).toBe("2026-02-28T04:17:00.000Z");
      expect(parse).toHaveBeenCalledTimes(3);

      parse.mockClear();
      const monthly = "41 4 1 * *";
      const first = intervalSeconds(monthly, at("2026-03-10T12:00:00Z"));
      expect(first).toBeGreaterThanOrEqual(28 * 86_400);
      expect(intervalSeconds(monthly, at("2026-03-10T12:59:59Z"))).toBe(first);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it("answers from its memory exactly as afresh: the same tick until it passes, then the next", () => {
    const minutely = "*/1 * * * *";
    expect(nextTick(minutely, at("2026-03-01T00:00:30Z")).toISOString()).toBe("2026-03-01T00:01:00.000Z");
    expect(nextTick(minutely, at("2026-03-01T00:00:59.999Z")).toISOString()).toBe("2026-03-01T00:01:00.000Z");
    expect(nextTick(minutely, at("2026-03-01T00:01:00Z")).toISOString()).toBe("2026-03-01T00:02:00.000Z");
    expect(nextTick(minutely, at("2026-03-01T00:00:10Z")).toISOString()).toBe("2026-03-01T00:01:00.000Z"); // before what it remembers
    // a monthly job's longest gap is the month after its next tick: 28 days from January, 31 from February
    const monthly = "0 0 1 * *";
    expect(intervalSeconds(monthly, at("2026-01-15T00:00:00Z"))).toBe(28 * 86_400);
    expect(intervalSeconds(monthly, at("2026-01-31T23:59:59Z"))).toBe(28 * 86_400);
    expect(intervalSeconds(monthly, at("2026-02-01T00:00:00Z"))).toBe(31 * 86_400);
    expect(intervalSeconds(monthly, at("2026-01-20T00:00:00Z"))).toBe(28 * 86_400);
  });

  it("derives one queue id per job and tick, shaped as a UUID", () => {
    const t = at("2026-01-01T00:00:10Z");
    expect(tickJobId("probe", t)).toBe(tickJobId("probe", new Date(t)));
    expect(tickJobId("probe", t)).not.toBe(tickJobId("probe", at("2026-01-01T00:00:20Z")));
    expect(tickJobId("probe", t)).not.toBe(tickJobId("intents-sweep", t));
    expect(tickJobId("probe", t)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
