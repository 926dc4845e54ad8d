import { redactUrl } from "@/server/adapters/db";
import { parseWordPressSites } from "@/server/adapters/wordpress";
import type { Deps } from "@/server/deps";
import { openaiProbe, pineconeProbe } from "./probes/ai";
import { databaseProbe, storeProbe } from "./probes/data";
import { githubProbe } from "./probes/github";
import { cloudwaysProbe, wordpressProbe } from "./probes/hosting";
import { slackProbe, smtpProbe } from "./probes/notify";
import type { ConnectionDef } from "./probes/types";

export type { ConnectionDef } from "./probes/types";

const OPENAI_DEFAULT = "https://api.openai.com/v1";
const PINECONE_DEFAULT = "https://api.pinecone.io";
const GITHUB_DEFAULT = "https://api.github.com";

/** "https://user:pw@host:1/p?q" → "https://host:1/p": what is safe to show of a URL. */
function showUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

const secrets = (...values: (string | undefined)[]) => values.filter((v): v is string => Boolean(v && v.length >= 4));

/**
 * Every connection the orchestrator has, configured or not, each with its probe. Ids are stable:
 * database, store, github, openai, pinecone, cloudways, wordpress[-<site>], slack, smtp.
 */
export function connectionRegistry(deps: Deps): ConnectionDef[] {
  const e = deps.env;
  const redisUrl = e.UPSTASH_REDIS_REST_URL ?? e.REDIS_URL;
  const defs: ConnectionDef[] = [
    {
      id: "database",
      label: deps.database.kind === "pglite" ? "Postgres (embedded)" : "Postgres",
      kind: deps.database.kind,
      layer: "data",
      config: { location: deps.database.location },
      probe: databaseProbe(deps),
      secrets: secrets(e.databaseUrl ? new URL(e.databaseUrl).password : undefined),
    },
    {
      id: "store",
      label: deps.kv.kind === "memory" ? "Store (in-process)" : "Redis",
      kind: deps.kv.kind,
      layer: "data",
      config: deps.kv.kind === "memory" ? { note: "in-process memory (single instance)" } : { url: redactUrl(redisUrl ?? "") },
      probe: storeProbe(deps),
      secrets: secrets(e.UPSTASH_REDIS_REST_TOKEN, e.REDIS_URL ? new URL(e.REDIS_URL).password : undefined),
    },
    {
      id: "github",
      label: "GitHub",
      kind: "octokit",
      layer: "code",
      config: e.GITHUB_TOKEN ? { api: e.GITHUB_API_URL ?? GITHUB_DEFAULT, repos: e.githubRepos.join(", ") || "(none)", auth: "token" } : {},
      probe: e.GITHUB_TOKEN ? githubProbe({ token: e.GITHUB_TOKEN, baseUrl: e.GITHUB_API_URL }) : null,
      secrets: secrets(e.GITHUB_TOKEN),
    },
    {
      id: "openai",
      label: "OpenAI",
      kind: "openai-compatible",
      layer: "ai",
      config: e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? { baseUrl: showUrl(e.OPENAI_BASE_URL ?? OPENAI_DEFAULT), auth: e.OPENAI_API_KEY ? "API key" : "none" } : {},
      probe: e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? openaiProbe({ baseUrl: e.OPENAI_BASE_URL ?? OPENAI_DEFAULT, apiKey: e.OPENAI_API_KEY }) : null,
      secrets: secrets(e.OPENAI_API_KEY),
    },
    {
      id: "pinecone",
      label: "Pinecone",
      kind: "pinecone",
      layer: "ai",
      config: e.PINECONE_API_KEY && e.PINECONE_INDEX ? { index: e.PINECONE_INDEX, api: showUrl(e.PINECONE_API_URL ?? PINECONE_DEFAULT) } : {},
      probe: e.PINECONE_API_KEY && e.PINECONE_INDEX ? pineconeProbe({ apiKey: e.PINECONE_API_KEY, index: e.PINECONE_INDEX, controlUrl: e.PINECONE_API_URL ?? PINECONE_DEFAULT }) : null,
      secrets: secrets(e.PINECONE_API_KEY),
    },
    {
      id: "cloudways",
      label: "Cloudways",
      kind: "cloudways",
      layer: "hosting",
      config: deps.cloudways ? { api: showUrl(deps.cloudways.baseUrl), auth: deps.cloudways.auth === "access_token" ? "access token" : `email + API key (${e.CW_EMAIL})` } : {},
      probe: deps.cloudways ? cloudwaysProbe(deps.cloudways) : null,
      secrets: secrets(e.CW_API_KEY, e.CW_ACCESS_TOKEN),
    },
  ];
  const sites = deps.wordpress.length
    ? deps.wordpress.map((site): ConnectionDef => ({
        id: site.id,
        label: site.id === "wordpress" ? "WordPress" : `WordPress · ${site.name}`,
        kind: "wp-rest",
        layer: "hosting",
        config: { url: site.url, siteHealth: site.authenticated ? "application password" : "not checked (no application password)" },
        probe: wordpressProbe(site),
        secrets: secrets(...parseWordPressSites(e).map((c) => c.appPassword)),
      }))
    : [{ id: "wordpress", label: "WordPress", kind: "wp-rest", layer: "hosting" as const, config: {}, probe: null, secrets: [] }];
  defs.push(...sites);
  defs.push(
    {
      id: "slack",
      label: "Slack",
      kind: "webhook",
      layer: "notify",
      config: e.SLACK_WEBHOOK_URL ? { webhook: `${new URL(e.SLACK_WEBHOOK_URL).host}/…` } : {},
      probe: e.SLACK_WEBHOOK_URL ? slackProbe() : null,
      secrets: secrets(e.SLACK_WEBHOOK_URL),
    },
    {
      id: "smtp",
      label: "SMTP",
      kind: "smtp",
      layer: "notify",
      config: e.SMTP_URL ? smtpConfig(e.SMTP_URL) : {},
      probe: e.SMTP_URL ? smtpProbe(e.SMTP_URL) : null,
      secrets: secrets(e.SMTP_URL ? safePassword(e.SMTP_URL) : undefined),
    },
  );
  return defs;
}

function safePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function smtpConfig(url: string): Record<string, string> {
  try {
    const u = new URL(url);
    return {
      server: `${u.hostname}:${u.port || (u.protocol === "smtps:" ? 465 : 587)}`,
      tls: u.protocol === "smtps:" ? "implicit" : "none/STARTTLS",
      ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    };
  } catch {
    return { server: "(invalid SMTP_URL)" };
  }
}
