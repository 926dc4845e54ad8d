import { describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { clientIp, COMPRESS_FROM_BYTES, jsonAnswer, requestIdOf } from "./http";

const req = (headers: Record<string, string>) => new Request("http://localhost/ai/status", { headers });

describe("client IP from the trusted proxy's header", () => {
  const env = parseEnv({ NODE_ENV: "test", TRUSTED_IP_HEADER: "x-forwarded-for" });

  it("takes the right-most X-Forwarded-For entry (the one the proxy appended), not what the client put first", () => {
    expect(clientIp(req({ "x-forwarded-for": "1.2.3.4, 10.0.0.7" }), env)).toBe("10.0.0.7");
    expect(clientIp(req({ "x-forwarded-for": "2001:db8::1" }), env)).toBe("2001:db8::1");
  });

  it("records no IP when the entry is not an address, or when no trusted header is configured", () => {
    expect(clientIp(req({ "x-forwarded-for": "1.2.3.4, <script>" }), env)).toBeNull();
    expect(clientIp(req({}), env)).toBeNull();
    expect(clientIp(req({ "x-forwarded-for": "1.2.3.4" }), parseEnv({ NODE_ENV: "test" }))).toBeNull();
  });
});

describe("request ids", () => {
  it("mints every id: a client's well-formed id is only a prefix, so two requests never share one", () => {
    const a = requestIdOf(req({ "x-request-id": "trace-12345678" }));
    const b = requestIdOf(req({ "x-request-id": "trace-12345678" }));
    expect(a).toMatch(/^trace-12345678\.[0-9a-f-]{13}$/);
    expect(b).not.toBe(a);
    expect(requestIdOf(req({ "x-request-id": "bad id with spaces" }))).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("JSON answers", () => {
  it("marks a small answer no-transform, so Next's gzip leaves it as it is; a larger one is compressed as before", () => {
    const small = jsonAnswer(JSON.stringify({ ok: "é".repeat(100) }), 200, new Headers());
    expect(small.headers.get("cache-control")).toBe("no-transform");
    expect(small.headers.get("content-type")).toBe("application/json");
    // counted in bytes, not characters: 512 two-byte characters are over the threshold
    const large = jsonAnswer(JSON.stringify({ text: "é".repeat(COMPRESS_FROM_BYTES / 2) }), 200, new Headers());
    expect(large.headers.get("cache-control")).toBeNull();
  });
});
