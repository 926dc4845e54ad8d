import { afterEach, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import type { Deps } from "@/server/deps";
import { executorsFromEnv } from "@/server/features/intents/executors";
import { getStatus } from "./service";

/** Credentials configured for reading never make executions real; only EXECUTORS=live does, and /ai/status says which. */
describe("status: executors live or dry-run", () => {
  let deps: Deps | undefined;
  afterEach(async () => {
    if (deps) await closeDeps(deps);
    deps = undefined;
  });
  const credentials = { GITHUB_TOKEN: "ghp_read_only", CW_EMAIL: "ops@example.com", CW_API_KEY: "cw-key" };

  it("stays dry-run with GITHUB_TOKEN and Cloudways credentials set, and says why", async () => {
    deps = await testDeps(credentials);
    expect(Object.values(executorsFromEnv(deps.env)).map((e) => e.dryRun)).toEqual([true, true]);
    const status = await getStatus(deps);
    expect(status.executors).toEqual([
      { name: "github", mode: "dry-run", reason: "EXECUTORS is not live" },
      { name: "cloudways", mode: "dry-run", reason: "EXECUTORS is not live" },
    ]);
    expect(status.embeddedDefaults).toContain("executors: dry-run for github (EXECUTORS is not live), cloudways (EXECUTORS is not live)");
  });

  it("is live with EXECUTORS=live where credentials exist, and dry-run (no credentials) elsewhere", async () => {
    deps = await testDeps({ GITHUB_TOKEN: "ghp_x", EXECUTORS: "live" });
    expect((await getStatus(deps)).executors).toEqual([
      { name: "github", mode: "live", reason: null },
      { name: "cloudways", mode: "dry-run", reason: "no CW_EMAIL/CW_API_KEY" },
    ]);
  });

  it("refuses an EXECUTORS value that is neither live nor dry-run", async () => {
    await expect(testDeps({ EXECUTORS: "yes" })).rejects.toThrow(/EXECUTORS/);
  });
});
