import { bearerOf, sendJson, startFake, type FakeServer } from "./http";

/**
 * Fakes of the small read endpoints the probes call, from their documented shapes:
 * GitHub `GET /rate_limit`, the OpenAI-compatible `GET /v1/models`, and Pinecone's
 * `GET /indexes/{name}` (control plane) + `POST /describe_index_stats` (data plane, same server here).
 */
export async function startGitHubFake(cfg: { token: string; remaining?: number }): Promise<FakeServer & { remaining: number }> {
  const fake = (await startFake((req, res, _body, url) => {
    if (bearerOf(req) !== cfg.token) return sendJson(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    if (url.pathname !== "/rate_limit") return sendJson(res, 404, { message: "Not Found" });
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const core = { limit: 5000, used: 5000 - fake.remaining, remaining: fake.remaining, reset };
    return sendJson(res, 200, { resources: { core, search: { limit: 30, used: 0, remaining: 30, reset }, graphql: { ...core } }, rate: core }, { "x-oauth-scopes": "repo, read:org" });
  })) as FakeServer & { remaining: number };
  fake.remaining = cfg.remaining ?? 4990;
  return fake;
}

export async function startOpenAiFake(cfg: { apiKey: string }): Promise<FakeServer & { baseUrl: string }> {
  const fake = (await startFake((req, res, _body, url) => {
    if (bearerOf(req) !== cfg.apiKey) return sendJson(res, 401, { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } });
    if (url.pathname !== "/v1/models") return sendJson(res, 404, { error: { message: "Unknown request URL", type: "invalid_request_error" } });
    return sendJson(res, 200, { object: "list", data: ["gpt-4o-mini", "text-embedding-3-small", "gpt-4o"].map((id) => ({ id, object: "model", created: 1715367049, owned_by: "system" })) });
  })) as FakeServer & { baseUrl: string };
  fake.baseUrl = `${fake.url}/v1`;
  return fake;
}

export async function startPineconeFake(cfg: { apiKey: string; index: string }): Promise<FakeServer> {
  const fake = await startFake((req, res, _body, url) => {
    if (req.headers["api-key"] !== cfg.apiKey) return sendJson(res, 401, { error: { code: "UNAUTHENTICATED", message: "Invalid API Key" }, status: 401 });
    if (req.method === "GET" && url.pathname === `/indexes/${cfg.index}`) {
      // the real host has no scheme: "<index>-<project>.svc.<env>.pinecone.io"
      return sendJson(res, 200, {
        name: cfg.index,
        dimension: 1536,
        metric: "cosine",
        host: `127.0.0.1:${fake.port}`,
        spec: { serverless: { cloud: "aws", region: "us-east-1" } },
        status: { ready: true, state: "Ready" },
      });
    }
    if (req.method === "GET" && url.pathname.startsWith("/indexes/")) return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "Resource not found" }, status: 404 });
    if (req.method === "POST" && url.pathname === "/describe_index_stats") {
      return sendJson(res, 200, { namespaces: { "": { vectorCount: 1200 }, repo: { vectorCount: 3400 } }, dimension: 1536, indexFullness: 0.01, totalVectorCount: 4600 });
    }
    return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "Not found" } });
  });
  return fake;
}
