import { describe, expect, it } from "vitest";
import { decodePositions, encodePositions } from "./follow";

describe("stream positions (the SSE event id)", () => {
  it("round-trips every scope's position", () => {
    const positions = new Map([
      ["global", 12],
      ["repo:acme/web", 40],
      ["session:a.b-c", 0],
    ]);
    expect(encodePositions(positions)).toBe("global=12,repo:acme/web=40,session:a.b-c=0");
    expect(decodePositions(encodePositions(positions))).toEqual(positions);
  });

  it("drops malformed parts instead of failing", () => {
    expect(decodePositions("global=x,=3,repo:a/b=-1,client:c=7")).toEqual(new Map([["client:c", 7]]));
    expect(decodePositions(null).size).toBe(0);
  });
});
