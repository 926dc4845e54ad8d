import { fetchWithTimeout, jsonOrNull } from "@/server/adapters/http-client";
import type { Probe } from "./types";

const HTTP_TIMEOUT_MS = 60_000; // the probe runner's own timeout is the one that applies

async function failure(res: Response, what: string): Promise<Error> {
  const body = (await jsonOrNull(res)) as { error?: { message?: string } | string; message?: string } | null;
  const why = typeof body?.error === "object" ? body.error.message : (body?.error ?? body?.message ?? res.statusText);
  return new Error(`${what} answered ${res.status}${why ? `: ${why}` : ""}`);
}

/** The OpenAI-compatible endpoint: GET /models (cheap, authenticated, no tokens spent). */
export function openaiProbe(cfg: { baseUrl: string; apiKey?: string }): Probe {
  return async (signal) => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
    const res = await fetchWithTimeout(`${cfg.baseUrl.replace(/\/+$/, "")}/models`, { headers, signal, timeoutMs: HTTP_TIMEOUT_MS });
    if (!res.ok) throw await failure(res, "GET /models");
    const body = (await jsonOrNull(res)) as { data?: { id?: unknown }[] } | null;
    if (!Array.isArray(body?.data)) throw new Error("GET /models did not return a model list");
    const ids = body.data.map((m) => m.id).filter((id): id is string => typeof id === "string");
    return { details: { models: ids.length, sample: ids.slice(0, 5) } };
  };
}

/** Pinecone: the index's host from the control plane, then its stats from the data plane. */
export function pineconeProbe(cfg: { apiKey: string; index: string; controlUrl: string }): Probe {
  return async (signal) => {
    const headers = { "Api-Key": cfg.apiKey, accept: "application/json", "X-Pinecone-API-Version": "2025-04" };
    const control = cfg.controlUrl.replace(/\/+$/, "");
    const described = await fetchWithTimeout(`${control}/indexes/${encodeURIComponent(cfg.index)}`, { headers, signal, timeoutMs: HTTP_TIMEOUT_MS });
    if (!described.ok) throw await failure(described, `describe index ${cfg.index}`);
    const index = (await jsonOrNull(described)) as { host?: string; dimension?: number; metric?: string; status?: { ready?: boolean; state?: string } } | null;
    if (!index?.host) throw new Error(`index ${cfg.index} has no host`);
    // Pinecone gives the host without a scheme; speak whatever the control plane speaks (https, or http for a local fake)
    const host = /^https?:\/\//.test(index.host) ? index.host : `${new URL(control).protocol}//${index.host}`;
    const res = await fetchWithTimeout(`${host.replace(/\/+$/, "")}/describe_index_stats`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: "{}",
      signal,
      timeoutMs: HTTP_TIMEOUT_MS,
    });
    if (!res.ok) throw await failure(res, "describe_index_stats");
    const stats = (await jsonOrNull(res)) as { totalVectorCount?: number; dimension?: number; indexFullness?: number; namespaces?: Record<string, unknown> } | null;
    const warnings = index.status && index.status.ready === false ? [`index state: ${index.status.state ?? "not ready"}`] : [];
    return {
      details: {
        index: cfg.index,
        state: index.status?.state ?? null,
        dimension: stats?.dimension ?? index.dimension ?? null,
        metric: index.metric ?? null,
        totalVectorCount: stats?.totalVectorCount ?? null,
        namespaces: stats?.namespaces ? Object.keys(stats.namespaces).length : null,
        indexFullness: stats?.indexFullness ?? null,
      },
      warnings,
    };
  };
}
