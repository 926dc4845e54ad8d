import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "@/server/core/auth/actor";
import { setDeps, type Deps } from "@/server/deps";
import { putEntry } from "@/server/features/context/service";
import { closeDeps, makeKey, testDeps } from "../../../tests/support/deps";
import { handleMcp } from "./mcp";
import { contextResourceUri } from "./mcp-resources";

/** Shared-context entries as MCP resources, through the SDK's own client. */

let deps: Deps;
beforeAll(async () => {
  deps = await testDeps();
  setDeps(deps);
});
afterAll(() => closeDeps(deps));

async function connect(key: string) {
  const transport = new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
    fetch: (url, init) => handleMcp(new Request(url, init)),
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: "mcp-resources-test", version: "0.0.0" });
  await client.connect(transport);
  return client;
}

describe("MCP context resources", () => {
  it("lists entries page by page across scopes and reads one as JSON", async () => {
    const scope = `repo:res/${randomUUID().slice(0, 8)}`;
    const call = { actor: systemActor("test"), requestId: randomUUID(), surface: "system" as const };
    await putEntry(deps, call, { scope, key: "notes/today", value: { focus: "resources" } });
    await putEntry(deps, call, { scope, key: "plan", value: ["a", "b"] });
    const client = await connect((await makeKey(deps, ["context:read"])).key);

    expect(client.getServerCapabilities()?.resources).toBeTruthy();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("orchestrator://context/{scope}/{key}");

    const uris: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 500; pages++) {
      const page = await client.listResources(cursor ? { cursor } : {});
      uris.push(...page.resources.map((r) => r.uri));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    const uri = contextResourceUri(scope, "notes/today");
    expect(uris).toContain(uri);
    expect(uris).toContain(contextResourceUri(scope, "plan"));

    const read = await client.readResource({ uri });
    const content = read.contents[0] as { mimeType: string; text: string };
    expect(content.mimeType).toBe("application/json");
    expect(JSON.parse(content.text)).toMatchObject({ scope, key: "notes/today", value: { focus: "resources" }, version: 1 });
    await expect(client.readResource({ uri: contextResourceUri(scope, "missing") })).rejects.toThrow(/No context entry/);
    await client.close();
  });

  it("advertises no resource subscriptions, and refuses a subscribe as a method it does not have", async () => {
    const client = await connect((await makeKey(deps, ["context:read"])).key);
    const resources = client.getServerCapabilities()?.resources;
    expect(resources).toBeTruthy();
    expect(resources).not.toHaveProperty("subscribe");
    expect(resources).not.toHaveProperty("listChanged");
    // a client that does not check capabilities first gets JSON-RPC's "method not found"
    await expect(client.subscribeResource({ uri: contextResourceUri("global", "x") })).rejects.toMatchObject({ code: ErrorCode.MethodNotFound });
    await client.close();
  });

  it("needs context:read", async () => {
    const client = await connect((await makeKey(deps, ["audit:read"])).key);
    await expect(client.readResource({ uri: contextResourceUri("global", "x") })).rejects.toThrow(/context:read/);
    await client.close();
  });
});
