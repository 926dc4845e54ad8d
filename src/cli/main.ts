import { parseArgs } from "node:util";
import type { ApiKeyView } from "@/server/core/auth/key-store";
import { parseRateLimits, ROLES, SCOPES, isScope, type Role } from "@/server/core/auth/permissions";
import { AppError } from "@/server/core/errors";
import { auditExportCommand, auditSealCommand, auditVerifyCommand } from "./audit-command";
import { drillCommand } from "./drill-command";
import { ApiFailure } from "./cursor/api";
import { cursorCommand } from "./cursor/command";
import { indexCommand } from "./index-command";
import { PromptCancelled, readHidden } from "./prompt";
import { CliError, execute } from "./transport";
import { workerCommand } from "./worker-command";

const HELP = `orchestrator — Ops Orchestrator's command line

  keys create --client <id> --scopes <a,b,...> --owner <email> [--expires <30d|ISO date>] [--rate-limit read=N,write=N,expensive=N]
                 Prints the new key alone on the last line (shown once). --owner names the person accountable
                 for the key (and its client), who then can never approve its intents (four-eyes).
  keys list [--client <id>] [--all]      Keys (prefix, client, scopes, last use); --all includes revoked ones.
  keys revoke <prefix>                   Revokes a key at once.
  users create --email <e> --role <${ROLES.join("|")}> [--password <p>] [--github-id <n>]
                 Prompts for the password when omitted. --github-id lets the user sign in with that GitHub
                 account (its numeric id, which never changes; not the login, which can be renamed).
  index [--repo <owner/name>] [--full]   Indexes the configured repositories (GITHUB_REPO, else this git checkout):
                 only files changed since the last run unless --full. Progress on stderr, summary on stdout.
  cursor sync [--watch] [--session <id>] [--file <path>] [--dir <path>]
                 Pushes this checkout's state (branch, head, changed files, diff, active file) as an IDE session;
                 --watch pushes after every change (at most once a second) and a heartbeat every minute.
  cursor listen [--scope <scope>]... [--dir <path>]
                 Follows the shared context live and keeps .cursor/rules/orchestrator-context.mdc up to date
                 (default scopes: global and this repo's). Both use ORCHESTRATOR_URL (else the app running here)
                 and ORCHESTRATOR_API_KEY. Exit codes: 3 key refused (401), 4 not allowed (403), 5 server
                 unreachable, 6 still rate limited after waiting out Retry-After.
  worker [--no-schedules]                Works the job queue (index runs, probes, sweeps, …) and sends the schedules' ticks
                 until stopped; needs DATABASE_URL (with the embedded database the app runs the jobs itself).
                 Any number of workers and app instances share the queue; each tick runs once.

  audit verify [--archive]              Verifies the audit log: signed segment manifests, the live chain since the
                 last rotation, the newest signed checkpoint; --archive also reads back every archived segment.
                 Exits 1 with the first bad sequence number when anything does not verify.
  audit seal                             Seals complete windows, archives them and rotates (the audit-seal job, now).
  audit export [--since <date>] [--until <date>]   Audit events of that range as NDJSON on stdout, archived and live.
  drill load [--duration <s>] [--connections <n>] [--url <u>] [--key <k>]
                 A mixed read/write workload against ORCHESTRATOR_URL with ORCHESTRATOR_API_KEY (scopes context:read,
                 context:write, audit:read; give it high --rate-limit values), then: 5xx, p99, "lost audit rows: N"
                 (acknowledged calls without their audit event) and the chain. Exits 1 unless all hold.
  drill rollback [--url <u>] [--key <k>] Against the previous release started on the current database: its health and
                 every parameterless read of its own API answer without a 5xx. Exits 1 otherwise.

Scopes: ${SCOPES.join(", ")}
Uses DATABASE_URL when set; otherwise the embedded database in .data/ (through the running app, if any).`;

function parseExpiry(value: string): string {
  const m = /^(\d+)([dh])$/.exec(value);
  if (m) return new Date(Date.now() + Number(m[1]) * (m[2] === "d" ? 86_400_000 : 3_600_000)).toISOString();
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliError(`--expires: "${value}" is neither a duration like 30d or 12h nor a date.`);
  return d.toISOString();
}

function table(rows: ApiKeyView[]): string {
  if (rows.length === 0) return "No keys.";
  const lines = rows.map((k) => [k.prefix, k.clientId, k.scopes.join(","), k.lastUsedAt ?? "never", k.revokedAt ? `revoked ${k.revokedAt}` : k.expiresAt ? `expires ${k.expiresAt}` : "active"]);
  const head = ["PREFIX", "CLIENT", "SCOPES", "LAST USED", "STATE"];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [head, ...lines]
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError("--password is required when stdin is not a terminal.");
  try {
    return await readHidden("Password (at least 10 characters, not shown): ", process.stdin, process.stderr);
  } catch (err) {
    throw err instanceof PromptCancelled ? new CliError("Cancelled.") : err;
  }
}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      client: { type: "string" },
      scopes: { type: "string" },
      expires: { type: "string" },
      "rate-limit": { type: "string" },
      owner: { type: "string" },
      all: { type: "boolean" },
      email: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      "github-id": { type: "string" },
      repo: { type: "string" },
      full: { type: "boolean" },
      watch: { type: "boolean" },
      session: { type: "string" },
      file: { type: "string" },
      dir: { type: "string" },
      scope: { type: "string", multiple: true },
      "no-schedules": { type: "boolean" },
      archive: { type: "boolean" },
      since: { type: "string" },
      until: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      url: { type: "string" },
      key: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, action, arg] = positionals;
  const command = `${group ?? ""} ${action ?? ""}`.trim();
  if (values.help || !group) return void console.log(HELP);

  switch (command) {
    case "keys create": {
      if (!values.client || !values.scopes || !values.owner) throw new CliError("keys create needs --client <id>, --scopes <a,b,...> and --owner <email> (the person accountable for the key).");
      const scopes = values.scopes
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = scopes.filter((s) => !isScope(s));
      if (unknown.length) throw new CliError(`Unknown scopes: ${unknown.join(", ")}. Known: ${SCOPES.join(", ")}.`);
      const created = (await execute({
        op: "keys.create",
        clientId: values.client,
        scopes: scopes.filter(isScope),
        expiresAt: values.expires ? parseExpiry(values.expires) : undefined,
        rateLimits: values["rate-limit"] ? parseRateLimits(values["rate-limit"]) : undefined,
        ownerEmail: values.owner,
      })) as { key: string; record: ApiKeyView };
      console.log(`Created key ${created.record.prefix}… for client ${created.record.clientId} with scopes ${created.record.scopes.join(", ")}.`);
      console.log("Store it now; it is not shown again:");
      console.log(created.key);
      return;
    }
    case "keys list": {
      const page = (await execute({ op: "keys.list", clientId: values.client, includeRevoked: values.all ?? false })) as { items: ApiKeyView[] };
      return void console.log(table(page.items));
    }
    case "keys revoke": {
      if (!arg) throw new CliError("keys revoke needs the key's prefix (see keys list).");
      const key = (await execute({ op: "keys.revoke", prefix: arg })) as ApiKeyView;
      return void console.log(`Revoked ${key.prefix} (client ${key.clientId}) at ${key.revokedAt}.`);
    }
    case "index": {
      if (await indexCommand({ repo: values.repo, full: values.full ?? false })) throw new CliError("Some repositories were not indexed (see above).");
      return;
    }
    case "worker":
      return workerCommand({ schedules: !values["no-schedules"] });
    case "cursor sync":
    case "cursor listen":
      return cursorCommand(action!, values);
    case "users create": {
      if (!values.email || !values.role) throw new CliError("users create needs --email and --role.");
      if (!(ROLES as readonly string[]).includes(values.role)) throw new CliError(`--role must be one of ${ROLES.join(", ")}.`);
      const password = values.password ?? (await promptPassword());
      const user = (await execute({ op: "users.create", email: values.email, role: values.role as Role, password, githubId: values["github-id"] })) as { email: string; role: string };
      return void console.log(`Created user ${user.email} with role ${user.role}.`);
    }
    case "audit verify":
      return auditVerifyCommand(values.archive ?? false);
    case "audit seal":
      return auditSealCommand();
    case "audit export":
      return auditExportCommand(values.since, values.until);
    case "drill load":
    case "drill rollback":
      return drillCommand(action!, values);
    default:
      throw new CliError(`Unknown command "${command}".\n\n${HELP}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    await run(argv);
    return 0;
  } catch (err) {
    if (err instanceof ApiFailure) {
      console.error(`error: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof CliError || err instanceof AppError || (err as { code?: string }).code?.startsWith?.("ERR_PARSE_ARGS")) {
      console.error(`error: ${(err as Error).message}`);
      return err instanceof AppError ? 1 : 2;
    }
    console.error(err);
    return 1;
  }
}
