import { describe, expect, it } from "vitest";
import { keySchema, putInput, scopeSchema } from "./schema";

describe("context scopes and keys", () => {
  it.each(["global", "repo:octo-org/my.repo_1", "repo:a/b", "session:abc-123_X.y", "client:gpt", `session:${"s".repeat(128)}`])("accepts scope %s", (s) => {
    expect(scopeSchema.safeParse(s).success).toBe(true);
  });

  it.each([
    "",
    "Global",
    "global:x",
    "repo:owner",
    "repo:owner/name/extra",
    "repo:own_er/name",
    "repo:/name",
    "session:",
    "session:a b",
    "session:a:b",
    "session:a|b",
    "client:é",
    "tenant:x",
    `client:${"c".repeat(129)}`,
  ])("refuses scope %j", (s) => {
    expect(scopeSchema.safeParse(s).success).toBe(false);
  });

  it.each(["a", "deploy/status", "A-Z_0.9:x/y-z", "k".repeat(200)])("accepts key %s", (k) => {
    expect(keySchema.safeParse(k).success).toBe(true);
  });

  it.each(["", "has space", "pipe|x", "q?", "ü", "k".repeat(201), "a\nb"])("refuses key %j", (k) => {
    expect(keySchema.safeParse(k).success).toBe(false);
  });

  it("requires a value but takes null, and ttlSeconds from 1", () => {
    expect(putInput.safeParse({ scope: "global", key: "k" }).success).toBe(false);
    expect(putInput.safeParse({ scope: "global", key: "k", value: null }).success).toBe(true);
    expect(putInput.safeParse({ scope: "global", key: "k", value: 1, ttlSeconds: 0 }).success).toBe(false);
    expect(putInput.safeParse({ scope: "global", key: "k", value: 1, ttlSeconds: 1 }).success).toBe(true);
    expect(putInput.safeParse({ scope: "global", key: "k", value: 1, extra: true }).success).toBe(false);
  });
});
