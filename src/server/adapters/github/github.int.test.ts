import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGitHubFake, type GitHubFake } from "../../../../tests/fakes/github";
import { addRepo, commit, gitBlobSha, loadOctokitFixture } from "../../../../tests/fakes/github-data";
import { testRedisUrl } from "../../../../tests/support/services";
import { createKeyValueStore } from "@/server/adapters/kv";
import type { KeyValueStore } from "@/server/adapters/kv/types";
import { createGitHubSource } from "@/server/adapters/repo-source/github";
import { createGitHubClient } from "./client";

/**
 * The GitHub client and repo source against a local fake of GitHub's REST API and an
 * `@octokit/fixtures` recording: trees (recursive, and the walk when GitHub truncates), base64
 * blobs, conditional requests (a 304 costs no rate limit, ETags live in the real store), and
 * rate limits answered with retry-after or x-ratelimit-reset.
 */
const token = "ghp_test_" + "a".repeat(30);
let fake: GitHubFake;
let kv: KeyValueStore;

const files = {
  "README.md": "# hello\n",
  "src/index.ts": "export const answer = 42;\n",
  "src/lib/deep/util.ts": "export function util() {}\n",
  "assets/logo.bin": Buffer.from([0, 1, 2, 255, 254]),
};

describe("GitHub client and repo source", () => {
  beforeAll(async () => {
    fake = await startGitHubFake(token);
    kv = createKeyValueStore({ redisUrl: testRedisUrl() });
  });
  afterEach(() => {
    fake.data.rateLimits.length = 0;
  });
  afterAll(async () => {
    await fake.close();
    await kv.close();
  });

  const client = (opts: { kv?: KeyValueStore; maxWait?: number } = {}) => createGitHubClient({ token, baseUrl: fake.url, kv: opts.kv, maxRateLimitWaitSeconds: opts.maxWait, retries: 0 });

  it("snapshot lists every blob at the branch head with git's blob shas and sizes; readBlobs decodes base64", async () => {
    const repo = addRepo(fake.data, `acme/snap-${randomUUID().slice(0, 6)}`);
    const c = commit(fake.data, repo, { files, message: "first" });
    const source = createGitHubSource(client(), repo.fullName);
    expect(await source.defaultBranch()).toBe("main");
    const snap = await source.snapshot();
    expect(snap.commitSha).toBe(c.sha);
    expect(snap.entries.map((e) => e.path)).toEqual(["README.md", "assets/logo.bin", "src/index.ts", "src/lib/deep/util.ts"]);
    const readme = snap.entries.find((e) => e.path === "README.md")!;
    expect(readme).toEqual({ path: "README.md", blobSha: gitBlobSha(Buffer.from(files["README.md"])), size: 8 });

    const blobs = await source.readBlobs([...snap.entries.map((e) => e.blobSha), "0".repeat(40)]);
    expect(blobs.size).toBe(4);
    expect(blobs.get(readme.blobSha)!.toString()).toBe("# hello\n");
    expect([...blobs.get(gitBlobSha(files["assets/logo.bin"]))!]).toEqual([0, 1, 2, 255, 254]);
  });

  it("a truncated recursive tree is completed by walking its subtrees", async () => {
    const repo = addRepo(fake.data, `acme/big-${randomUUID().slice(0, 6)}`);
    const c = commit(fake.data, repo, { files, message: "first" });
    fake.data.truncatedTrees.add(c.tree);
    const srcTree = fake.data.trees.get(c.tree)!.find((i) => i.path === "src")!.sha;
    fake.data.truncatedTrees.add(srcTree);
    const snap = await createGitHubSource(client(), repo.fullName).snapshot("main");
    expect(snap.entries.map((e) => e.path)).toEqual(["README.md", "assets/logo.bin", "src/index.ts", "src/lib/deep/util.ts"]);
    const treeCalls = fake.requests.filter((r) => r.path.includes(`/repos/${repo.fullName}/git/trees/`));
    expect(treeCalls.length).toBeGreaterThanOrEqual(4);
  });

  it("a second identical GET is a conditional request: 304, answered from the store, no rate limit spent", async () => {
    const repo = addRepo(fake.data, `acme/etag-${randomUUID().slice(0, 6)}`, { description: "cached" });
    const octokit = client({ kv });
    const first = await octokit.rest.repos.get({ owner: "acme", repo: repo.fullName.split("/")[1]! });
    let used = fake.data.rateLimitUsed;
    const notModified = fake.data.notModified;
    const second = await octokit.rest.repos.get({ owner: "acme", repo: repo.fullName.split("/")[1]! });
    expect(fake.data.notModified).toBe(notModified + 1);
    expect(fake.data.rateLimitUsed).toBe(used);
    expect(second.data).toEqual(first.data);
    expect(second.headers["x-cache"]).toBe("etag-304");

    const c = commit(fake.data, repo, { files: { "a.txt": "blob" }, message: "one" });
    const blobSha = fake.data.trees.get(c.tree)![0]!.sha;
    const source = createGitHubSource(octokit, repo.fullName);
    await source.readBlobs([blobSha]);
    const before = fake.data.notModified;
    expect((await source.readBlobs([blobSha])).get(blobSha)!.toString()).toBe("blob");
    expect(fake.data.notModified).toBe(before); // blobs are immutable and never cached

    repo.description = "changed";
    used = fake.data.rateLimitUsed;
    const third = await octokit.rest.repos.get({ owner: "acme", repo: repo.fullName.split("/")[1]! });
    expect(third.data.description).toBe("changed");
    expect(fake.data.rateLimitUsed).toBe(used + 1);
  });

  it("403 secondary rate limit: waits retry-after, then succeeds", async () => {
    const repo = addRepo(fake.data, `acme/limit-${randomUUID().slice(0, 6)}`);
    fake.data.rateLimits.push({ kind: "secondary", retryAfter: 1 });
    const started = Date.now();
    const { data } = await client().rest.repos.get({ owner: "acme", repo: repo.fullName.split("/")[1]! });
    expect(data.full_name).toBe(repo.fullName);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("403 primary rate limit: waits until x-ratelimit-reset; a wait over the cap fails at once", async () => {
    const repo = addRepo(fake.data, `acme/reset-${randomUUID().slice(0, 6)}`);
    fake.data.rateLimits.push({ kind: "primary", resetInSeconds: 0 });
    const started = Date.now();
    await expect(client().rest.repos.get({ owner: "acme", repo: repo.fullName.split("/")[1]! })).resolves.toMatchObject({ status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    fake.data.rateLimits.push({ kind: "secondary", retryAfter: 3600 });
    const t0 = Date.now();
    await expect(client({ maxWait: 60 }).rest.repos.get({ owner: "acme", repo: repo.fullName.split("/")[1]! })).rejects.toMatchObject({ status: 403 });
    expect(Date.now() - t0).toBeLessThan(900);
  });

  it("replays the @octokit/fixtures get-repository recording: default branch and metadata", async () => {
    loadOctokitFixture(fake.data, "api.github.com/get-repository");
    const source = createGitHubSource(client(), "octokit-fixture-org/hello-world");
    expect(await source.defaultBranch()).toBe("master");
    const { data } = await client().rest.repos.get({ owner: "octokit-fixture-org", repo: "hello-world" });
    expect(data).toMatchObject({ full_name: "octokit-fixture-org/hello-world", html_url: "https://github.com/octokit-fixture-org/hello-world" });
  });
});
