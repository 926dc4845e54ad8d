import { describe, expect, it } from "vitest";
import { connectionLabel, formatLatency, formatUptime, humanize } from "./format";

describe("formatUptime", () => {
  it.each([
    [0, "0s"],
    [-5, "0s"],
    [12, "12s"],
    [250, "4m 10s"],
    [3_600, "1h"],
    [7_500, "2h 5m"],
    [273_600, "3d 4h"],
    [86_401, "1d"],
  ])("%d s -> %s", (seconds, expected) => {
    expect(formatUptime(seconds)).toBe(expected);
  });
});

describe("formatLatency", () => {
  it.each([
    [null, "—"],
    [0.4, "<1 ms"],
    [12.6, "13 ms"],
    [1_530, "1.5 s"],
  ])("%s -> %s", (ms, expected) => {
    expect(formatLatency(ms)).toBe(expected);
  });
});

describe("humanize", () => {
  it("capitalizes and spaces identifiers", () => {
    expect(humanize("not_configured")).toBe("Not configured");
    expect(humanize("openai")).toBe("Openai");
  });
});

describe("connectionLabel", () => {
  it("spells known products their own way and humanizes the rest", () => {
    expect(connectionLabel("github")).toBe("GitHub");
    expect(connectionLabel("smtp")).toBe("SMTP");
    expect(connectionLabel("database")).toBe("Database");
  });
});
