import { describe, expect, it } from "vitest";
import { KEY_PATTERN, SCOPE_PATTERN } from "@/server/features/context/schema";
import { firstJsonError } from "./json-position";
import { buildScope, KEY_RE, parseJson, parseScope, previewValue, SCOPE_KINDS } from "./scope";

describe("context scopes in the dashboard", () => {
  it("builds each kind and refuses bad ids", () => {
    expect(buildScope("global", "ignored")).toEqual({ scope: "global" });
    expect(buildScope("repo", " acme/web ")).toEqual({ scope: "repo:acme/web" });
    expect(buildScope("session", "s-42.a")).toEqual({ scope: "session:s-42.a" });
    expect(buildScope("client", "gpt")).toEqual({ scope: "client:gpt" });
    expect(buildScope("repo", "acme")).toMatchObject({ error: expect.stringMatching(/owner\/name/) });
    expect(buildScope("client", "gpt bot")).toMatchObject({ error: expect.stringMatching(/client id/) });
    expect(buildScope("session", "")).toMatchObject({ error: expect.stringMatching(/Enter the session id/) });
  });

  it("parses scopes from the URL and rejects anything else", () => {
    expect(parseScope("global")).toEqual({ kind: "global", id: "", scope: "global" });
    expect(parseScope("repo:acme/web")).toEqual({ kind: "repo", id: "acme/web", scope: "repo:acme/web" });
    for (const bad of [null, "", "repo:", "galaxy:x", "global:x", "client:a b", ":x"]) expect(parseScope(bad)).toBeNull();
  });

  it("previews values on one line", () => {
    expect(previewValue({ a: 1 })).toBe('{"a":1}');
    expect(previewValue("hi")).toBe('"hi"');
    expect(previewValue({ long: "x".repeat(200) }, 20)).toHaveLength(20);
  });

  it("reports JSON errors with a line and column", () => {
    expect(parseJson('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseJson("  ")).toMatchObject({ error: expect.stringMatching(/Enter a JSON value/) });
    const bad = parseJson('{\n  "a": 1,\n  "b": oops\n}');
    expect(bad).toMatchObject({ error: expect.stringMatching(/^Invalid JSON/) });
    expect("error" in bad && bad.error).toMatch(/line 3, column 8/);
  });
});

describe("firstJsonError", () => {
  it.each([
    ['{"a": [1, 2, {"b": null}], "c": "x\\u00e9"}', -1],
    ["-1.5e3", -1],
    ['{"a": 1,}', 8],
    ["[1 2]", 3],
    ['{"a" 1}', 5],
    ["tru", 3],
    ['"open', 5],
    ["{} x", 3],
    ["01", 1],
  ])("%s -> %d", (text, at) => {
    expect(firstJsonError(text)).toBe(at);
  });
});

it("points at a bad \\u escape", () => {
  expect(firstJsonError('"\\u12x4"')).toBe(5);
});

it("agrees with the server's scope and key patterns", () => {
  const ids = ["acme/web", "a/b.c_d-e", "-x/y", "acme", "acme/web/extra", "s-1", "a.b_c", "has space", "a:b", "x".repeat(128), "x".repeat(129), "Ünïcode", ""];
  for (const kind of SCOPE_KINDS.filter((k) => k !== "global")) {
    for (const id of ids) expect("scope" in buildScope(kind, id), `${kind}:${id}`).toBe(SCOPE_PATTERN.test(`${kind}:${id}`));
  }
  for (const key of ["notes", "a/b:c.d_e-f", "with space", "x".repeat(200), "x".repeat(201), "", "é"]) expect(KEY_RE.test(key), key).toBe(KEY_PATTERN.test(key));
});
