import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The read side of the GitHub fake: repositories with real git object ids (blob sha = sha1 of
 * "blob <size>\0<content>"), trees (recursive, optionally truncated), blobs (base64), commits with
 * first-parent history and per-file stats, branch heads, workflow runs, open-pull counts via the Link header,
 * ETags with 304 (which costs no rate limit, like GitHub), queued rate-limit refusals, and replay
 * of `@octokit/fixtures` recordings.
 */
export interface FakeCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: { name: string; email: string; login: string | null; date: string };
  message: string;
  files: { filename: string; additions: number; deletions: number }[];
}

export interface FakeRun {
  id: number;
  name: string;
  workflow_id: number;
  head_branch: string;
  head_sha: string;
  event: string;
  status: string;
  conclusion: string | null;
  run_number: number;
  run_attempt: number;
  created_at: string;
  run_started_at: string;
  updated_at: string;
  html_url: string;
}

export interface FakeRepo {
  fullName: string;
  defaultBranch: string;
  description: string | null;
  pushedAt: string;
  languages: Record<string, number>;
  openPulls: number;
  /** Issues and pull requests together, as GitHub's open_issues_count counts them. */
  openIssuesCount: number;
  branches: Record<string, string>;
  commits: Map<string, FakeCommit>;
  runs: FakeRun[];
}

interface TreeItem {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  size?: number;
}

export interface GitHubData {
  repos: Map<string, FakeRepo>;
  trees: Map<string, TreeItem[]>;
  blobs: Map<string, Buffer>;
  /** Trees whose recursive listing answers `truncated: true` (with only the first level). */
  truncatedTrees: Set<string>;
  /** Recorded answers ("GET /path?query") replayed before anything else. */
  recordings: Map<string, { status: number; body: unknown; headers: Record<string, string> }>;
  /** Refusals to answer the next requests with (403 + retry-after or x-ratelimit-reset). */
  rateLimits: ({ kind: "secondary"; retryAfter: number } | { kind: "primary"; resetInSeconds: number })[];
  /** Requests that counted against the rate limit (everything except a 304). */
  rateLimitUsed: number;
  notModified: number;
}

export function emptyGitHubData(): GitHubData {
  return { repos: new Map(), trees: new Map(), blobs: new Map(), truncatedTrees: new Set(), recordings: new Map(), rateLimits: [], rateLimitUsed: 0, notModified: 0 };
}

export const gitBlobSha = (content: Buffer) => createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");

/** Stores files as blobs and trees; returns the root tree's sha. */
export function putTree(data: GitHubData, files: Record<string, string | Buffer>): string {
  const root: Map<string, unknown> = new Map();
  for (const [file, content] of Object.entries(files)) {
    const parts = file.split("/");
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      if (!dir.has(part)) dir.set(part, new Map());
      dir = dir.get(part) as Map<string, unknown>;
    }
    dir.set(parts.at(-1)!, Buffer.isBuffer(content) ? content : Buffer.from(content));
  }
  const store = (dir: Map<string, unknown>): string => {
    const items: TreeItem[] = [...dir.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, v]) => {
        if (Buffer.isBuffer(v)) {
          const sha = gitBlobSha(v);
          data.blobs.set(sha, v);
          return { path: name, mode: "100644", type: "blob", sha, size: v.length };
        }
        return { path: name, mode: "040000", type: "tree", sha: store(v as Map<string, unknown>) };
      });
    const sha = createHash("sha1")
      .update(`tree ${JSON.stringify(items)}`)
      .digest("hex");
    data.trees.set(sha, items);
    return sha;
  };
  return store(root);
}

export function addRepo(data: GitHubData, fullName: string, init: Partial<Omit<FakeRepo, "fullName" | "commits">> = {}): FakeRepo {
  const repo: FakeRepo = {
    fullName,
    defaultBranch: "main",
    description: null,
    pushedAt: "2026-11-20T10:00:00Z",
    languages: {},
    openPulls: 0,
    openIssuesCount: 0,
    branches: {},
    runs: [],
    ...init,
    commits: new Map(),
  };
  data.repos.set(fullName.toLowerCase(), repo);
  return repo;
}

/** Commits a tree on a branch (first parent = the branch's head); returns the commit. */
export function commit(
  data: GitHubData,
  repo: FakeRepo,
  opts: { branch?: string; files: Record<string, string | Buffer>; message: string; author?: Partial<FakeCommit["author"]>; stats?: FakeCommit["files"] },
): FakeCommit {
  const branch = opts.branch ?? repo.defaultBranch;
  const parent = repo.branches[branch];
  const tree = putTree(data, opts.files);
  const author = { name: "Octo Cat", email: "octo@example.com", login: "octocat", date: new Date().toISOString(), ...opts.author };
  const sha = createHash("sha1")
    .update(`commit ${tree} ${parent ?? ""} ${opts.message} ${author.date}`)
    .digest("hex");
  const c: FakeCommit = {
    sha,
    tree,
    parents: parent ? [parent] : [],
    author,
    message: opts.message,
    files: opts.stats ?? Object.keys(opts.files).map((f) => ({ filename: f, additions: 1, deletions: 0 })),
  };
  repo.commits.set(sha, c);
  repo.branches[branch] = sha;
  return c;
}

/** Loads an `@octokit/fixtures` scenario (e.g. "api.github.com/get-repository") as recordings. */
export function loadOctokitFixture(data: GitHubData, scenario: string) {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve("@octokit/fixtures/package.json"));
  const fixtures = JSON.parse(readFileSync(path.join(dir, "scenarios", scenario, "normalized-fixture.json"), "utf8")) as {
    method: string;
    path: string;
    status: number;
    response: unknown;
    headers: Record<string, string>;
  }[];
  for (const f of fixtures) data.recordings.set(`${f.method.toUpperCase()} ${f.path}`, { status: f.status, body: f.response, headers: f.headers });
}

type Send = (status: number, body?: unknown, headers?: Record<string, string>) => void;

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

function routeOf(data: GitHubData, method: string, url: URL): Answer | null {
  if (method !== "GET") return null;
  const m = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(url.pathname);
  const repo = m ? data.repos.get(m[1]!.toLowerCase()) : undefined;
  if (!m || !repo) return null;
  const rest = m[2] ?? "";
  const q = url.searchParams;
  const base = `${url.origin}${url.pathname}`;
  let r: RegExpExecArray | null;
  if (rest === "") {
    return {
      status: 200,
      body: {
        full_name: repo.fullName,
        name: repo.fullName.split("/")[1],
        description: repo.description,
        private: false,
        visibility: "public",
        default_branch: repo.defaultBranch,
        html_url: `https://github.com/${repo.fullName}`,
        pushed_at: repo.pushedAt,
        open_issues_count: repo.openIssuesCount,
        stargazers_count: 3,
        forks_count: 1,
        archived: false,
        language: Object.keys(repo.languages)[0] ?? null,
        topics: [],
      },
    };
  }
  if (rest === "/languages") return { status: 200, body: repo.languages };
  if (rest === "/pulls") {
    const perPage = Number(q.get("per_page") ?? 30);
    const pages = Math.ceil(repo.openPulls / perPage);
    const link = pages > 1 ? `<${base}?state=open&per_page=${perPage}&page=2>; rel="next", <${base}?state=open&per_page=${perPage}&page=${pages}>; rel="last"` : undefined;
    return { status: 200, body: Array.from({ length: Math.min(perPage, repo.openPulls) }, (_, i) => ({ number: i + 1, state: "open" })), headers: link ? { link } : {} };
  }
  if ((r = /^\/commits\/([^/]+)$/.exec(rest))) {
    const c = repo.commits.get(repo.branches[r[1]!] ?? r[1]!);
    if (!c) return { status: 404, body: { message: "No commit found for SHA: " + r[1] } };
    const additions = c.files.reduce((s, f) => s + f.additions, 0);
    const deletions = c.files.reduce((s, f) => s + f.deletions, 0);
    return {
      status: 200,
      body: {
        sha: c.sha,
        commit: { tree: { sha: c.tree }, message: c.message, author: { name: c.author.name, email: c.author.email, date: c.author.date } },
        author: c.author.login ? { login: c.author.login } : null,
        stats: { additions, deletions, total: additions + deletions },
        files: c.files.map((f) => ({ ...f, changes: f.additions + f.deletions, status: "modified" })),
      },
    };
  }
  if (rest === "/commits") return listCommits(repo, q, base);
  if ((r = /^\/git\/trees\/([0-9a-f]{40})$/.exec(rest))) {
    const items = data.trees.get(r[1]!);
    if (!items) return { status: 404, body: { message: "Not Found" } };
    if (q.get("recursive") && !data.truncatedTrees.has(r[1]!)) return { status: 200, body: { sha: r[1], tree: flatten(data, items, ""), truncated: false } };
    return { status: 200, body: { sha: r[1], tree: items, truncated: Boolean(q.get("recursive")) } };
  }
  if ((r = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
    const blob = data.blobs.get(r[1]!);
    return blob
      ? { status: 200, body: { sha: r[1], size: blob.length, encoding: "base64", content: blob.toString("base64").replace(/(.{60})/g, "$1\n") } }
      : { status: 404, body: { message: "Not Found" } };
  }
  if (rest === "/actions/runs") return listRuns(repo, q);
  if ((r = /^\/branches\/(.+)$/.exec(rest))) {
    const c = repo.commits.get(repo.branches[decodeURIComponent(r[1]!)] ?? "");
    if (!c) return { status: 404, body: { message: "Branch not found" } };
    return {
      status: 200,
      body: {
        name: decodeURIComponent(r[1]!),
        commit: {
          sha: c.sha,
          commit: { message: c.message, author: { name: c.author.name, email: c.author.email, date: c.author.date }, committer: { name: c.author.name, email: c.author.email, date: c.author.date } },
        },
      },
    };
  }
  return null;
}

function flatten(data: GitHubData, items: TreeItem[], prefix: string): TreeItem[] {
  return items.flatMap((i) => [{ ...i, path: prefix + i.path }, ...(i.type === "tree" ? flatten(data, data.trees.get(i.sha) ?? [], `${prefix}${i.path}/`) : [])]);
}

function page<T>(items: T[], q: URLSearchParams, base: string) {
  const perPage = Number(q.get("per_page") ?? 30);
  const pageNo = Number(q.get("page") ?? 1);
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const next = new URLSearchParams(q);
  next.set("page", String(pageNo + 1));
  return { slice, link: pageNo * perPage < items.length ? `<${base}?${next}>; rel="next"` : undefined };
}

function listCommits(repo: FakeRepo, q: URLSearchParams, base: string): Answer {
  const from = q.get("sha") ?? repo.defaultBranch;
  let sha: string | undefined = repo.branches[from] ?? from;
  const all: FakeCommit[] = [];
  while (sha && repo.commits.has(sha)) {
    const c: FakeCommit = repo.commits.get(sha)!;
    all.push(c);
    sha = c.parents[0];
  }
  if (all.length === 0) return { status: 404, body: { message: "No commit found for SHA: " + from } };
  const filtered = all.filter(
    (c) =>
      (!q.get("path") || c.files.some((f) => f.filename === q.get("path") || f.filename.startsWith(q.get("path") + "/"))) &&
      (!q.get("author") || c.author.login === q.get("author") || c.author.email === q.get("author")) &&
      (!q.get("since") || c.author.date >= q.get("since")!) &&
      (!q.get("until") || c.author.date <= q.get("until")!),
  );
  const { slice, link } = page(filtered, q, base);
  const body = slice.map((c) => ({
    sha: c.sha,
    commit: { message: c.message, author: { name: c.author.name, email: c.author.email, date: c.author.date }, tree: { sha: c.tree } },
    author: c.author.login ? { login: c.author.login } : null,
    parents: c.parents.map((p) => ({ sha: p })),
  }));
  return { status: 200, body, headers: link ? { link } : {} };
}

function listRuns(repo: FakeRepo, q: URLSearchParams): Answer {
  const created = q.get("created") ?? "";
  const [lo, hi] = created.startsWith(">=") ? [created.slice(2), undefined] : created.includes("..") ? created.split("..") : [undefined, undefined];
  const runs = repo.runs
    .filter(
      (r) =>
        (!q.get("branch") || r.head_branch === q.get("branch")) &&
        (!q.get("event") || r.event === q.get("event")) &&
        (!q.get("status") || r.status === q.get("status") || r.conclusion === q.get("status")),
    )
    .filter((r) => (!lo || r.created_at >= lo) && (!hi || r.created_at <= hi))
    .sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  const { slice } = page(runs, q, "");
  return { status: 200, body: { total_count: runs.length, workflow_runs: slice } };
}

/** Answers a request from the data, or returns false to let the caller go on. */
export function serveGitHubData(data: GitHubData, req: IncomingMessage, res: ServerResponse, send: Send): boolean {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const limit = data.rateLimits.shift();
  if (limit) {
    data.rateLimitUsed++;
    if (limit.kind === "secondary") send(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": String(limit.retryAfter) });
    else send(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + limit.resetInSeconds) });
    return true;
  }
  const recorded = data.recordings.get(`${req.method} ${url.pathname}${url.search}`);
  const answer = recorded ? { status: recorded.status, body: recorded.body, headers: {} } : routeOf(data, req.method ?? "GET", url);
  if (!answer) return false;
  const text = JSON.stringify(answer.body);
  const etag = `"${createHash("sha1").update(text).digest("hex")}"`;
  if (answer.status === 200 && req.headers["if-none-match"] === etag) {
    data.notModified++;
    res.writeHead(304, { etag });
    res.end();
    return true;
  }
  data.rateLimitUsed++;
  send(answer.status, answer.body, { ...(answer.status === 200 ? { etag } : {}), ...answer.headers });
  return true;
}
