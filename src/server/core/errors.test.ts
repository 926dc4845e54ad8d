import { describe, expect, it } from "vitest";
import { errorBody } from "./errors";

describe("errorBody", () => {
  it("keeps a 4xx message and its details for the caller", () => {
    expect(errorBody("BAD_REQUEST", "limit: too big", "req-1", { limit: "max 100" })).toEqual({
      error: { code: "BAD_REQUEST", message: "limit: too big", requestId: "req-1", details: { limit: "max 100" } },
    });
  });

  it("keeps a 503's message, written for the caller to act on", () => {
    expect(errorBody("UNAVAILABLE", "GitHub refused GITHUB_TOKEN (401): the token is wrong or expired.", "req-2").error.message).toBe(
      "GitHub refused GITHUB_TOKEN (401): the token is wrong or expired.",
    );
  });

  it("never lets an internal error's message or details out, and names the request id instead", () => {
    const body = errorBody("INTERNAL", "connect ECONNREFUSED 10.0.0.5:5432 (password=hunter2)", "req-3", { stack: "at db.ts:1" });
    expect(body).toEqual({ error: { code: "INTERNAL", message: "Internal error; quote request id req-3 when reporting it.", requestId: "req-3" } });
  });
});
