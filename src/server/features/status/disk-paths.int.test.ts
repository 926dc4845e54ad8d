import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { createKeyValueStore } from "@/server/adapters/kv";
import { handleRest } from "@/server/api/rest";
import { createDeps, setDeps, type Deps } from "@/server/deps";
import { closeDeps, makeKey } from "../../../../tests/support/deps";
import { makeUser, caller } from "../../../../tests/support/intents";

/** /ai/status on the embedded database: the dashboard sees where its data lives; an API key does not learn the host's disk. */
describe("status and the server's disk paths", () => {
  let deps: Deps;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "oo-status-"));
    deps = await createDeps({ env: parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir }), database: { dataDir }, kv: createKeyValueStore({}) });
    setDeps(deps);
  });
  afterAll(async () => {
    await closeDeps(deps);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("names the embedded database's folder to a dashboard user only", async () => {
    const folder = path.basename(dataDir);
    const { key } = await makeKey(deps, ["audit:read"]);
    const res = await handleRest(new Request("http://localhost/ai/status", { headers: { "x-api-key": key } }));
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text).embeddedDefaults).toContain("database: embedded PGlite");
    expect(text).not.toContain(folder);
    const admin = await makeUser(deps, "admin");
    const forUser = await caller(deps, admin).status.get({});
    expect(forUser.embeddedDefaults.join("\n")).toContain(folder);
  });

  it("keeps the folder out of /ai/connections for API keys too", async () => {
    const folder = path.basename(dataDir);
    const { key } = await makeKey(deps, ["metrics:read"]);
    const res = await handleRest(new Request("http://localhost/ai/connections", { headers: { "x-api-key": key } }));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain(folder);
    const admin = await makeUser(deps, "admin");
    expect(JSON.stringify(await caller(deps, admin).connections.list({}))).toContain(folder);
  });
});
