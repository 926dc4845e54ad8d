import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("configuration", () => {
  it("runs with nothing set, on the embedded defaults", () => {
    const e = parseEnv({});
    expect(e.databaseUrl).toBeUndefined();
    expect(e.dataDir).toMatch(/\.data$/);
    expect(e.MAX_BODY_BYTES).toBe(1_000_000);
  });

  it("accepts POSTGRES_URL, prefers DATABASE_URL, and treats empty strings as unset", () => {
    expect(parseEnv({ POSTGRES_URL: "postgres://a/b" }).databaseUrl).toBe("postgres://a/b");
    expect(parseEnv({ POSTGRES_URL: "postgres://a/b", DATABASE_URL: "postgres://c/d" }).databaseUrl).toBe("postgres://c/d");
    expect(parseEnv({ DATABASE_URL: "", REDIS_URL: " " }).databaseUrl).toBeUndefined();
  });

  it("splits lists and names the bad variable", () => {
    const e = parseEnv({ DASHBOARD_ORIGIN: "https://a.example, https://b.example", GITHUB_REPO: "o/a,o/b" });
    expect(e.dashboardOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(e.githubRepos).toEqual(["o/a", "o/b"]);
    expect(() => parseEnv({ RATE_LIMITS: "fast" })).toThrow(/RATE_LIMITS/);
    // what the limiter itself refuses is refused here, at start, not with a 500 on every call
    for (const bad of ["read=0", "write=-1", "read=1.5", "read=9007199254740993x"]) expect(() => parseEnv({ RATE_LIMITS: bad }), bad).toThrow(/RATE_LIMITS/);
    expect(parseEnv({ RATE_LIMITS: "read=1,expensive=2" }).RATE_LIMITS).toBe("read=1,expensive=2");
    expect(() => parseEnv({ REDIS_URL: "not a url" })).toThrow(/REDIS_URL/);
  });
});
