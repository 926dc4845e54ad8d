import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { createGitHubClient } from "@/server/adapters/github/client";
import { auditDependencies } from "./dependency-audit";
import { githubJobs } from "./jobs";

const TOKEN = "ghp_dependency_audit_test";

const alert = (number: number, severity: string, pkg: string, fix: string | null) => ({
  number,
  state: "open",
  html_url: `https://github.com/acme/web/security/dependabot/${number}`,
  created_at: "2026-11-01T00:00:00Z",
  dependency: { package: { ecosystem: "npm", name: pkg }, manifest_path: "package-lock.json", scope: "runtime" },
  security_advisory: { ghsa_id: `GHSA-${number}`, cve_id: number === 1 ? "CVE-2026-0001" : null, summary: `${pkg} is vulnerable`, severity },
  security_vulnerability: { package: { ecosystem: "npm", name: pkg }, severity, vulnerable_version_range: "< 9.9.9", first_patched_version: fix ? { identifier: fix } : null },
});

describe("dependency audit of the managed repos (Dependabot alerts through Octokit)", () => {
  let server: Server;
  let baseUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    // GitHub's answers for two repos: one with two pages of open alerts, one with Dependabot alerts off
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push(`${req.method} ${url.pathname}?${url.searchParams.toString()}`);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `token ${TOKEN}`) return send(401, { message: "Bad credentials" });
      if (url.pathname === "/repos/acme/web/dependabot/alerts") {
        if (url.searchParams.get("page") === "2") return send(200, [alert(3, "critical", "minimist", "1.2.6")]);
        return send(200, [alert(1, "high", "lodash", "4.17.21"), alert(2, "low", "debug", null)], { link: `<${baseUrl}/repos/acme/web/dependabot/alerts?state=open&per_page=100&page=2>; rel="next"` });
      }
      if (url.pathname === "/repos/acme/off/dependabot/alerts") return send(403, { message: "Dependabot alerts are disabled for this repository." });
      return send(404, { message: "Not Found" });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const depsFor = (token: string | undefined) => {
    const env = parseEnv({ NODE_ENV: "test", GITHUB_REPO: "acme/web,acme/off", ...(token ? { GITHUB_TOKEN: token } : {}), GITHUB_API_URL: baseUrl });
    return { env, github: token ? createGitHubClient({ token, baseUrl, retries: 0 }) : null };
  };

  it("lists open alerts of every repo, most severe first, with the fix version; a repo it cannot read is skipped", async () => {
    const audit = await auditDependencies(depsFor(TOKEN));
    expect(audit.findings.map((f) => [f.alertNumber, f.severity, f.package, f.fixVersion])).toEqual([
      [3, "critical", "minimist", "1.2.6"],
      [1, "high", "lodash", "4.17.21"],
      [2, "low", "debug", null],
    ]);
    expect(audit.findings[1]).toMatchObject({ repo: "acme/web", ecosystem: "npm", manifestPath: "package-lock.json", vulnerableRange: "< 9.9.9", cveId: "CVE-2026-0001", ghsaId: "GHSA-1" });
    expect(audit.counts).toEqual({ critical: 1, high: 1, medium: 0, low: 1 });
    expect(audit.skipped).toEqual([{ repo: "acme/off", reason: expect.stringMatching(/Dependabot alerts are off.*403/) }]);
    expect(seen.filter((s) => s.startsWith("GET /repos/acme/web/")).every((s) => s.includes("state=open"))).toBe(true);
  });

  it("without a token, reports every repo skipped instead of failing", async () => {
    const audit = await auditDependencies(depsFor(undefined));
    expect(audit.findings).toEqual([]);
    expect(audit.skipped.map((s) => s.reason)).toEqual(["GITHUB_TOKEN is not set", "GITHUB_TOKEN is not set"]);
  });

  it("the dependency-audit job keeps the counts and findings in its summary", async () => {
    const job = githubJobs.find((j) => j.name === "dependency-audit")!;
    const logs: string[] = [];
    const summary = await job.run({ deps: depsFor(TOKEN) as never, runId: "r", trigger: "manual", signal: new AbortController().signal, log: (m) => logs.push(m), data: {} });
    expect(summary).toMatchObject({ total: 3, counts: { critical: 1, high: 1 }, skipped: [{ repo: "acme/off" }] });
    expect(logs[0]).toMatch(/3 open alerts/);
  });
});
