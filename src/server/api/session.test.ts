import { describe, expect, it } from "vitest";
import { withSignInRetryAfter } from "./session";

/** A throttled sign-in reaches the client as 429 with Retry-After; every other answer of next-auth passes through untouched. */
describe("withSignInRetryAfter", () => {
  const post = new Request("http://localhost:3000/api/auth/callback/credentials", { method: "POST" });

  it("turns next-auth's 401 for a throttled attempt into 429 with Retry-After (the form's fetch)", async () => {
    const res = await withSignInRetryAfter(post, Response.json({ url: "http://localhost:3000/signin?error=TooManyAttempts%3A840" }, { status: 401 }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("840");
    expect(await res.json()).toEqual({ url: "http://localhost:3000/signin?error=TooManyAttempts%3A840" });
  });

  it("keeps a native form post's redirect, with Retry-After beside it", async () => {
    const res = await withSignInRetryAfter(post, new Response(null, { status: 302, headers: { location: "/signin?error=TooManyAttempts%3A60" } }));
    expect(res.status).toBe(302);
    expect(res.headers.get("retry-after")).toBe("60");
  });

  it("leaves a wrong password (401) and other routes alone", async () => {
    const wrong = Response.json({ url: "http://localhost:3000/signin?error=CredentialsSignin" }, { status: 401 });
    expect(await withSignInRetryAfter(post, wrong)).toBe(wrong);
    const session = Response.json({});
    expect(await withSignInRetryAfter(new Request("http://localhost:3000/api/auth/session"), session)).toBe(session);
  });
});
