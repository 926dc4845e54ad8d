import { describe, expect, it } from "vitest";
import { filtersFromParams, hasFilters, searchOf } from "./filters";

describe("audit filters in the URL", () => {
  it("keeps valid filters and drops the rest", () => {
    const params = new URLSearchParams("q=%20deploy%20&actorType=robot&outcome=denied&since=2026-11-27T10:00:00Z&until=yesterday&clientId=gpt&page=3");
    expect(filtersFromParams(params)).toEqual({ q: "deploy", outcome: "denied", since: "2026-11-27T10:00:00.000Z", clientId: "gpt" });
  });

  it("keeps an intent id only when it is a UUID", () => {
    const id = "0b7c5a1e-8f3d-4c2a-9e6b-1d2f3a4b5c6d";
    expect(filtersFromParams(new URLSearchParams(`intentId=${id.toUpperCase()}`))).toEqual({ intentId: id });
    expect(filtersFromParams(new URLSearchParams("intentId=deploy-42"))).toEqual({});
    expect(searchOf({ intentId: id, outcome: "denied" })).toBe(`?intentId=${id}&outcome=denied`);
  });

  it("round-trips through the query string, with the open event", () => {
    const filters = { actorId: "op@example.com", action: "context.", q: '"window moved"' } as const;
    const search = searchOf(filters, 42);
    expect(search).toBe("?q=%22window+moved%22&actorId=op%40example.com&action=context.&event=42");
    const back = new URLSearchParams(search);
    expect(filtersFromParams(back)).toEqual(filters);
    expect(back.get("event")).toBe("42");
    expect(searchOf({})).toBe("");
    expect(hasFilters({})).toBe(false);
    expect(hasFilters(filters)).toBe(true);
  });
});
