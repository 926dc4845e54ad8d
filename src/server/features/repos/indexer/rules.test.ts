import { describe, expect, it } from "vitest";
import { isBinaryContent, MAX_FILE_BYTES, skipByPath } from "./filter";
import { REDACTED, redactSecrets } from "./redact";

describe("skip rules", () => {
  it.each([
    [".env", "secret"],
    [".env.local", "secret"],
    ["config/.env.production", "secret"],
    ["deploy/server.pem", "secret"],
    ["keys/api.key", "secret"],
    ["home/.ssh/id_rsa", "secret"],
    ["id_ed25519.pub", "secret"],
    ["certs/client.p12", "secret"],
    ["tls/site.crt", "secret"],
    ["a/credentials.json", "secret"],
    ["node_modules/x/index.js", "vendored"],
    ["web/vendor/lib.php", "vendored"],
    ["dist/app.js", "generated"],
    ["packages/a/build/out.js", "generated"],
    [".next/server/page.js", "generated"],
    ["src/generated/prisma/client.ts", "generated"],
    ["package-lock.json", "lockfile"],
    ["sub/yarn.lock", "lockfile"],
    ["go.sum", "lockfile"],
    ["assets/logo.png", "binary"],
    ["public/app.min.js", "generated"],
    ["src/app.js.map", "generated"],
  ])("%s is skipped as %s", (path, reason) => {
    expect(skipByPath(path, 100)).toBe(reason);
  });

  it("keeps source files, refuses ones over the size cap and empty ones", () => {
    for (const p of ["src/index.ts", "README.md", "cmd/main.go", "app/models.py", "Dockerfile", "src/env.ts", "docs/keys.md"]) expect(skipByPath(p, 1000)).toBeNull();
    expect(skipByPath("src/big.ts", MAX_FILE_BYTES + 1)).toBe("too-large");
    expect(skipByPath("src/empty.ts", 0)).toBe("empty");
    // a secret file is refused whatever its size
    expect(skipByPath(".env", MAX_FILE_BYTES * 10)).toBe("secret");
  });

  it("detects binary content", () => {
    expect(isBinaryContent(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]))).toBe(true);
    expect(isBinaryContent(Buffer.from("const a = 'héllo';\n"))).toBe(false);
  });
});

describe("redaction", () => {
  const secrets = {
    github: "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    pat: "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    openai: "sk-" + "proj-Abcdefghijklmnop1234567890",
    aws: "AKIA" + "IOSFODNN7EXAMPLE",
    slack: "xoxb-" + "123456789012-abcdefghijkl",
    jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  };

  it.each(Object.entries(secrets))("removes %s tokens", (_name, secret) => {
    const { text, redactions } = redactSecrets(`const token = process.env.X ?? "${secret}";\nfoo(${secret})`);
    expect(text).not.toContain(secret);
    expect(text).toContain(REDACTED);
    expect(redactions).toBeGreaterThanOrEqual(2);
  });

  it("removes passwords in URLs but keeps the user and host", () => {
    const { text } = redactSecrets(`DATABASE_URL=postgres://admin:S3cretPass@db.example.com:5432/app\nredis://:hunter22@cache:6379`);
    expect(text).toContain(`postgres://admin:${REDACTED}@db.example.com:5432/app`);
    expect(text).not.toContain("S3cretPass");
    expect(text).not.toContain("hunter22");
  });

  it("removes private key blocks and keeps the line count", () => {
    const body = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA1", "abcdefghijkl", "-----END RSA PRIVATE KEY-----"].join("\n");
    const input = `const a = 1;\nconst key = \`${body}\`;\nconst b = 2;`;
    const { text } = redactSecrets(input);
    expect(text).not.toContain("MIIEpAIBAAKCAQEA1");
    expect(text.split("\n")).toHaveLength(input.split("\n").length);
    expect(text.split("\n")[5]).toBe("const b = 2;");
  });

  it("removes literal passwords assigned in code, not code that merely mentions them", () => {
    const { text } = redactSecrets(`const password = "correct-horse-battery";\nconst apiKey: string = 'zz9plural-z-alpha';\nif (!password) throw new Error("password required");`);
    expect(text).not.toContain("correct-horse-battery");
    expect(text).not.toContain("zz9plural-z-alpha");
    expect(text).toContain(`throw new Error("password required")`);
  });

  it("leaves ordinary code alone", () => {
    const code = `export function add(a: number, b: number) {\n  return a + b; // https://example.com/docs\n}\n`;
    expect(redactSecrets(code)).toEqual({ text: code, redactions: 0 });
  });
});

describe("redaction cost", () => {
  it("stays linear on adversarial text", () => {
    const nasty = "a.".repeat(200_000) + "://" + "b".repeat(100_000);
    const t = performance.now();
    redactSecrets(nasty);
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});
