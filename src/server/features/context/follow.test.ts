import { describe, expect, it } from "vitest";
import { decodePositions, StreamPositions } from "./follow";

describe("stream positions (the SSE event id)", () => {
  const scopes = ["repo:acme/web", "global", "session:a.b-c"];

  it("round-trips every scope's position in a short id that does not repeat the scope names", () => {
    const positions = new StreamPositions(scopes, new Map(scopes.map((s) => [s, 0])));
    positions.set("global", 12);
    positions.set("repo:acme/web", 40);
    positions.set("session:a.b-c", 1_000_000);
    const id = positions.id();
    expect(id).toMatch(/^2~[\w-]{8}~c\.14\.lfls$/); // global, repo:…, session:… in code-unit order, base 36
    expect(id).not.toContain("acme");
    expect(decodePositions(id, scopes)).toEqual(
      new Map([
        ["global", 12],
        ["repo:acme/web", 40],
        ["session:a.b-c", 1_000_000],
      ]),
    );
    // the same scopes asked in another order (or repeated) read the same id
    expect(decodePositions(id, ["session:a.b-c", "global", "repo:acme/web", "global"])?.get("repo:acme/web")).toBe(40);
  });

  it("keeps 100 scopes' positions short", () => {
    const many = Array.from({ length: 100 }, (_, i) => `session:bench-${i}`);
    const positions = new StreamPositions(many, new Map(many.map((s, i) => [s, 1000 + i])));
    expect(positions.id().length).toBeLessThan(420);
    expect(decodePositions(positions.id(), many)).toEqual(new Map(many.map((s, i) => [s, 1000 + i])));
  });

  it("reads no position from an id made for another list of scopes, or a malformed one", () => {
    const id = new StreamPositions(scopes, new Map(scopes.map((s) => [s, 3]))).id();
    expect(decodePositions(id, ["global", "repo:acme/web"])).toBeNull();
    expect(decodePositions(id, [...scopes, "client:c"])).toBeNull();
    expect(decodePositions(`${id}.1`, scopes)).toBeNull();
    expect(decodePositions(id.replace(/~[^~]*$/, "~3.x!.3"), scopes)).toBeNull();
  });

  it("still reads ids of the earlier form by scope name, dropping malformed parts", () => {
    expect(decodePositions("global=12,repo:acme/web=40,session:a.b-c=0", scopes)).toEqual(
      new Map([
        ["global", 12],
        ["repo:acme/web", 40],
        ["session:a.b-c", 0],
      ]),
    );
    expect(decodePositions("global=x,=3,repo:a/b=-1,client:c=7", scopes)).toEqual(new Map([["client:c", 7]]));
    expect(decodePositions(null, scopes)?.size).toBe(0);
  });
});
