import { describe, expect, it } from "vitest";
import { dayLabel, formatPct, uptimeTone } from "./uptime-scale";

describe("uptime scale", () => {
  it("keeps no data apart from full uptime", () => {
    expect(uptimeTone(null)).toBe("none");
    expect(uptimeTone(100)).toBe("full");
    expect(uptimeTone(99.5)).toBe("high");
    expect(uptimeTone(96)).toBe("degraded");
    expect(uptimeTone(85)).toBe("poor");
    expect(uptimeTone(0)).toBe("bad");
  });

  it("never rounds a partial outage up to 100 %", () => {
    expect(formatPct(99.999)).toBe("99.99 %");
    expect(formatPct(100)).toBe("100 %");
    expect(formatPct(97.96)).toBe("97.9 %");
    expect(formatPct(null)).toBe("—");
  });

  it("says what a day cell holds", () => {
    expect(dayLabel({ day: "2026-11-27", pct: null, probes: 0, down: 0 })).toBe("2026-11-27: no data");
    expect(dayLabel({ day: "2026-11-27", pct: 50, probes: 2, down: 1 })).toBe("2026-11-27: 50 % up (2 probes, 1 down)");
  });
});
