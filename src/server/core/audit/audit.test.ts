import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalContent, chainHash, GENESIS_HASH, type ChainedContent } from "./chain";
import { contentOf } from "./log";
import { auditInput, redact, REDACTED } from "./redact";
import { hostileString, isWellFormed } from "../../../../tests/support/hostile";

const row: ChainedContent = {
  at: "2026-11-26T00:00:00.000Z",
  actorType: "api_key",
  actorId: "gpt",
  clientId: "gpt",
  action: "status.get",
  resourceType: "status",
  target: null,
  outcome: "success",
  status: 200,
  latencyMs: 3,
  requestId: "r1",
  surface: "rest",
  ip: null,
  input: { b: 1, a: [1, "x"] },
  detail: null,
};

describe("hash chain", () => {
  it("hashes the canonical form: key order does not matter, any content change does", () => {
    const h = chainHash(GENESIS_HASH, row);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...row, input: { a: [1, "x"], b: 1 } })).toBe(h);
    expect(chainHash(GENESIS_HASH, { ...row, status: 201 })).not.toBe(h);
    expect(chainHash("1".repeat(64), row)).not.toBe(h);
  });
});

describe("redaction", () => {
  it("hides values under secret keys and credential-looking strings anywhere", () => {
    const out = redact({
      password: "p",
      nested: { apiKey: "x", Authorization: "Bearer y", list: ["ghp_0123456789abcdefghijABCDEFGHIJ", "fine"] },
      dsn: "redis://user:s3cret@cache:6379",
      text: "use sk-abcdefghijklmnopqrstuv please",
    }) as Record<string, unknown>;
    const s = JSON.stringify(out);
    for (const secret of ["s3cret", "ghp_0123", "sk-abcdef", "Bearer y"]) expect(s).not.toContain(secret);
    expect(out.password).toBe(REDACTED);
    expect(s).toContain("fine");
    expect(out.dsn).toBe(`redis://user:${REDACTED}@cache:6379`);
  });

  it("finds every kind of credential inside other text (the one-pass pre-check lets none through)", () => {
    const samples = [
      "oo_" + "a".repeat(24),
      "ghp_" + "b".repeat(24),
      "github_pat_" + "c".repeat(24),
      "sk-" + "d".repeat(20),
      "xoxb-" + "1".repeat(12),
      "AKIA" + "E".repeat(16),
      "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
      "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2Q",
      "postgres://app:hunter2@db:5432/x",
    ];
    for (const secret of samples) expect(redact(`before ${secret} after`)).toBe(`before ${secret.startsWith("postgres") ? `postgres://app:${REDACTED}@db:5432/x` : REDACTED} after`);
    const plain = "context.get global/bench ok";
    expect(redact(plain)).toBe(plain);
  });

  it("stays linear on long inputs: a megabyte of scheme-like characters is redacted at once", () => {
    const started = performance.now();
    for (const s of ["x".repeat(1_000_000), "a1.".repeat(300_000), "a://b:".repeat(150_000)]) redact({ s });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(redact("see (https://user:p%40ss@x.io) and git+ssh://git:tok@host/r")).toBe(`see (https://user:${REDACTED}@x.io) and git+ssh://git:${REDACTED}@host/r`);
  });

  it("cuts large inputs to a preview", () => {
    const big = auditInput({ blob: "x".repeat(20_000) }) as { truncated: boolean; chars: number; preview: string };
    expect(big.truncated).toBe(true);
    expect(big.preview.length).toBe(8_000);
    expect(auditInput(undefined)).toBeNull();
  });
});

describe("audit content from any text", () => {
  const wellFormed = (s: string) => isWellFormed(s) && !s.includes("\u0000");

  it("canonicalizes and hashes any string in any field, keeping only well-formed text", () => {
    fc.assert(
      fc.property(hostileString(), hostileString(), fc.dictionary(hostileString(), fc.oneof(hostileString(), fc.double())), (a, b, dict) => {
        const content = contentOf({
          actorType: "anonymous",
          actorId: a,
          action: b,
          resourceType: "api",
          target: a,
          outcome: "failure",
          status: 400,
          requestId: b,
          surface: "rest",
          ip: a,
          input: { a, dict },
          detail: { b },
        });
        const text = canonicalContent(content);
        expect(wellFormed(text)).toBe(true);
        expect(chainHash(GENESIS_HASH, content)).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 200 },
    );
  });

  it("replaces lone surrogates with U+FFFD and keeps `__proto__` keys", () => {
    const input = JSON.parse('{"__proto__":{"a":1},"x":"\\ud800"}') as unknown;
    expect(JSON.stringify(redact(input))).toBe('{"__proto__":{"a":1},"x":"\ufffd"}');
  });

  it("never cuts a preview inside a surrogate pair", () => {
    const big = auditInput({ s: "a".repeat(7_993) + "\u{1F600}".repeat(5_000) }) as { preview: string };
    expect(wellFormed(big.preview)).toBe(true);
  });
});
