import { describe, expect, it } from "vitest";
import { formatCountdown, formatRelative, fromLocalInput, toLocalInput } from "./time";

const NOW = Date.parse("2026-11-27T12:00:00Z");

describe("formatRelative", () => {
  it.each([
    [null, "—"],
    ["2026-11-27T11:59:58Z", "just now"],
    ["2026-11-27T11:59:15Z", "45 s ago"],
    ["2026-11-27T11:55:00Z", "5 min ago"],
    ["2026-11-27T09:00:00Z", "3 h ago"],
    ["2026-11-25T12:00:00Z", "2 d ago"],
    ["2026-11-27T12:10:00Z", "in 10 min"],
  ])("%s -> %s", (iso, expected) => {
    expect(formatRelative(iso, NOW)).toBe(expected);
  });
});

describe("formatCountdown", () => {
  it.each([
    [0, "expired"],
    [-5, "expired"],
    [900_000, "15:00"],
    [845_500, "14:06"],
    [3_729_000, "1:02:09"],
    [3 * 86_400_000 + 4 * 3_600_000, "3 d 4 h"],
  ])("%d ms -> %s", (ms, expected) => {
    expect(formatCountdown(ms)).toBe(expected);
  });
});

describe("datetime-local round trip", () => {
  it("keeps the minute and rejects garbage", () => {
    const iso = "2026-11-27T10:30:00.000Z";
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
    expect(fromLocalInput("")).toBeUndefined();
    expect(fromLocalInput("not a date")).toBeUndefined();
    expect(toLocalInput("nope")).toBe("");
  });
});
