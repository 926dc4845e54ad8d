import type { RecordedRequest } from "../schema";
import { dryRunReasonOf, errorText, type ExecutionJob, type ExecutionOutcome, type Executor } from "./types";

/**
 * Cloudways (API v1): purge Varnish, restart a service, take a backup, then poll the operation
 * until it completes. A minimal fetch client of its own (no Cloudways adapter existed when this
 * was written). Without CW_EMAIL + CW_API_KEY, or unless executions are live, it runs dry and records the request it would send;
 * credentials and tokens are never recorded.
 */
export interface CloudwaysOptions {
  email?: string;
  apiKey?: string;
  baseUrl?: string;
  pollMs?: number;
  fetch?: typeof fetch;
  /** false keeps it dry even with credentials (they may be there for reads only). */
  live?: boolean;
}

interface Step {
  path: string;
  body: Record<string, string>;
}

export function cloudwaysPlan(job: ExecutionJob): Step {
  const server_id = job.target.server!;
  const app = job.target.app;
  switch (job.action) {
    case "purge_cache":
      return app ? { path: "/app/cache/purge", body: { server_id, app_id: app } } : { path: "/service/varnish", body: { server_id, action: "purge" } };
    case "restart_service":
      return { path: "/service/state", body: { server_id, service: String(job.params.service), state: "restart" } };
    case "create_backup":
      return app ? { path: "/app/manage/takeBackup", body: { server_id, app_id: app } } : { path: "/server/manage/backup", body: { server_id } };
    default:
      throw new Error(`Cloudways does not run ${job.action}`);
  }
}

export class CloudwaysExecutor implements Executor {
  readonly name = "cloudways" as const;
  readonly dryRun: boolean;
  readonly dryRunReason: string | null;
  private readonly base: string;
  private readonly pollMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: CloudwaysOptions) {
    this.dryRunReason = dryRunReasonOf({ live: opts.live ?? true, missingCredentials: opts.email && opts.apiKey ? null : "no CW_EMAIL/CW_API_KEY" });
    this.dryRun = this.dryRunReason !== null;
    this.base = (opts.baseUrl ?? "https://api.cloudways.com/api/v1").replace(/\/$/, "");
    this.pollMs = opts.pollMs ?? 5_000;
    this.fetch = opts.fetch ?? fetch;
  }

  private async call(method: string, path: string, token: string | null, body: Record<string, string> | null, signal: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.fetch(`${this.base}${path}`, {
      method,
      headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: body ? new URLSearchParams(body).toString() : undefined,
      signal,
    });
    const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${String(data.error_description ?? data.message ?? data.error ?? "")}`.trim());
    return data;
  }

  async execute(job: ExecutionJob, signal: AbortSignal): Promise<ExecutionOutcome> {
    const step = cloudwaysPlan(job);
    const request: RecordedRequest = { method: "POST", url: `${this.base}${step.path}`, body: step.body };
    if (this.dryRun) {
      return { ok: true, dryRun: true, summary: `Dry run (${this.dryRunReason}): 1 request recorded, nothing sent.`, requests: [request] };
    }
    const requests: RecordedRequest[] = [];
    try {
      const auth = await this.call("POST", "/oauth/access_token", null, { email: this.opts.email!, api_key: this.opts.apiKey! }, signal);
      const token = String(auth.access_token ?? "");
      if (!token) throw new Error("Cloudways returned no access token");
      requests.push(request);
      const started = await this.call("POST", step.path, token, step.body, signal);
      const operationId = started.operation_id ?? (started.operation as { id?: unknown } | undefined)?.id;
      if (operationId === undefined || operationId === null) {
        return { ok: true, dryRun: false, requests, summary: `${job.action} done (no operation to wait for)`, response: started };
      }
      let polls = 0;
      for (;;) {
        await sleep(this.pollMs, signal);
        polls++;
        const op = ((await this.call("GET", `/operation/${encodeURIComponent(String(operationId))}`, token, null, signal)).operation ?? {}) as Record<string, unknown>;
        if (String(op.is_completed) === "1" || op.is_completed === true) {
          const failed =
            String(op.status ?? "")
              .toLowerCase()
              .includes("fail") || Boolean(op.error);
          const message = String(op.message ?? op.status ?? "");
          return {
            ok: !failed,
            dryRun: false,
            requests,
            response: { operationId, polls, status: op.status ?? null, message },
            summary: failed ? `Operation ${String(operationId)} failed: ${message}` : `Operation ${String(operationId)} completed after ${polls} poll(s)`,
            ...(failed ? { error: message } : {}),
          };
        }
      }
    } catch (err) {
      return { ok: false, dryRun: false, requests, summary: `Cloudways refused or did not finish: ${errorText(err)}`, error: errorText(err) };
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });
}
