import { createServer, type IncomingMessage, type Server } from "node:http";
import { emptyGitHubData, serveGitHubData, type GitHubData } from "./github-data";

/**
 * A local fake of the few GitHub REST endpoints the intent executors call: workflow_dispatch, read
 * and merge a pull request, open an issue. It records every request (method, path, body, auth) so
 * tests can assert exactly what was sent.
 */
export interface FakeRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
}

export interface GitHubFake {
  url: string;
  requests: FakeRequest[];
  pulls: Map<number, { base: string; head: string }>;
  /** Delay every answer (to test timeouts). */
  delayMs: number;
  /** Repositories, trees, blobs, commits and runs served read-only (github-data.ts). */
  data: GitHubData;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : null;
}

export async function startGitHubFake(token: string): Promise<GitHubFake> {
  const fake: Omit<GitHubFake, "url" | "close"> = { requests: [], pulls: new Map(), delayMs: 0, data: emptyGitHubData() };
  let issues = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const body = await readJson(req);
      fake.requests.push({ method: req.method ?? "", path, body, authorization: req.headers.authorization ?? null });
      if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
      const send = (status: number, data?: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(data === undefined ? "" : JSON.stringify(data));
      };
      if (req.headers.authorization !== `token ${token}` && req.headers.authorization !== `Bearer ${token}`) return send(401, { message: "Bad credentials" });
      let m: RegExpExecArray | null;
      if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/.test(path)) return send(204);
      if ((m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/.exec(path)) && req.method === "GET") {
        const pr = fake.pulls.get(Number(m[1]));
        return pr ? send(200, { number: Number(m[1]), base: { ref: pr.base }, head: { sha: pr.head } }) : send(404, { message: "Not Found" });
      }
      if ((m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/merge$/.exec(path)) && req.method === "PUT") {
        const pr = fake.pulls.get(Number(m[1]));
        if (!pr) return send(404, { message: "Not Found" });
        const sha = (body as { sha?: string } | null)?.sha;
        if (sha && sha !== pr.head) return send(409, { message: "Head branch was modified. Review and try the merge again." });
        return send(200, { sha: "f".repeat(40), merged: true, message: "Pull Request successfully merged" });
      }
      if (req.method === "POST" && /^\/repos\/[^/]+\/([^/]+)\/issues$/.test(path)) {
        issues++;
        return send(201, { number: issues, html_url: `https://github.example/${path.slice(7)}/${issues}`, state: "open" });
      }
      const sendWith = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(data === undefined ? "" : JSON.stringify(data));
      };
      if (serveGitHubData(fake.data, req, res, sendWith)) return;
      send(404, { message: "Not Found" });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    ...fake,
    get delayMs() {
      return fake.delayMs;
    },
    set delayMs(v: number) {
      fake.delayMs = v;
    },
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
