import { describe, expect, it } from "vitest";
import { safeCallbackPath, signInErrorMessage } from "./callback-url";

describe("safeCallbackPath", () => {
  it.each([
    [undefined, "/"],
    ["", "/"],
    ["/", "/"],
    ["/audit?page=2#top", "/audit?page=2#top"],
    ["http://127.0.0.1:3000/keys", "/keys"],
    ["https://evil.example/steal", "/steal"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["relative/path", "/"],
    ["/signin?callbackUrl=/", "/"],
    [["/a", "/b"], "/a"],
  ])("%j -> %s", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
  });
});

describe("signInErrorMessage", () => {
  it("explains a credentials failure and stays quiet without a code", () => {
    expect(signInErrorMessage("CredentialsSignin")).toBe("Incorrect email or password.");
    expect(signInErrorMessage(undefined)).toBeNull();
    expect(signInErrorMessage("Callback")).toMatch(/try again/);
    expect(signInErrorMessage("TooManyAttempts:840")).toBe("Too many failed sign-ins. Try again in 14 minutes.");
    expect(signInErrorMessage("TooManyAttempts:30")).toBe("Too many failed sign-ins. Try again in 1 minute.");
  });
});
