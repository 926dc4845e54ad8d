import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps, type Deps } from "@/server/deps";
import { closeDeps, testDeps } from "../../../tests/support/deps";
import { handleTrpc } from "./trpc-handler";

/** The dashboard's tRPC endpoint refuses cookie-authenticated mutations from another origin (CSRF). */
describe("dashboard tRPC endpoint", () => {
  let deps: Deps;
  beforeAll(async () => {
    deps = await testDeps();
    setDeps(deps);
  });
  afterAll(() => closeDeps(deps));

  const mutation = (headers: Record<string, string>) =>
    handleTrpc(
      new Request("http://dash.local/api/trpc/keys.revoke", {
        method: "POST",
        headers: { host: "dash.local", "content-type": "application/json", cookie: "next-auth.session-token=forged", ...headers },
        body: JSON.stringify({ prefix: "oo_whatever" }),
      }),
    );

  it("answers 403 to a mutation from a foreign origin, before reading any session", async () => {
    const res = await mutation({ origin: "https://evil.example" });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { message: string; data: { appCode: string } } };
    expect(body.error.data.appCode).toBe("FORBIDDEN");
    expect(body.error.message).toMatch(/Cross-site/);
  });

  it("answers 403 to a mutation without an Origin header", async () => {
    expect((await mutation({})).status).toBe(403);
  });

  it("audits the refusal as denied", async () => {
    const res = await mutation({ origin: "https://evil.example" });
    const requestId = res.headers.get("x-request-id")!;
    const row = await deps.db.auditEvent.findFirstOrThrow({ where: { requestId } });
    expect(row).toMatchObject({ outcome: "denied", status: 403, surface: "trpc", action: "keys.revoke" });
  });
});
