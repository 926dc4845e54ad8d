import { once } from "node:events";
import type { LifecycleVerifyResult } from "@/server/core/audit/verify";
import { exportAuditEvents, withAuditLifecycle, type SealRunSummary } from "@/server/features/audit/lifecycle";
import { CliError, execute, withLocalDeps } from "./transport";

function parseDate(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliError(`${flag}: "${value}" is not a date (e.g. 2026-11-01 or 2026-11-01T12:00:00Z).`);
  return d;
}

/** `audit verify [--archive]`: prints the result; a broken chain fails the command. */
export async function auditVerifyCommand(archive: boolean): Promise<void> {
  const r = (await execute({ op: "audit.verify", archive }, { timeoutMs: 30 * 60_000 })) as LifecycleVerifyResult;
  const scope = `${r.segments} sealed segment(s), live chain from ${r.liveFromSeq} (${r.checked} rows hashed)${r.checkpointSeq ? `, checkpoint at ${r.checkpointSeq}` : ""}${archive ? `, ${r.archivedChecked} archived rows` : ""}`;
  if (!r.ok) throw new CliError(`audit log NOT intact at sequence ${r.firstBadSeq}: ${r.reason}\n  checked: ${scope}`);
  console.log(`audit log ok: ${scope}; head ${r.headHash ?? "(empty)"}`);
}

/** `audit seal`: seals, archives and rotates now (what the audit-seal job does on its schedule). */
export async function auditSealCommand(): Promise<void> {
  const s = (await execute({ op: "audit.seal" }, { timeoutMs: 30 * 60_000 })) as SealRunSummary;
  for (const m of s.sealed) console.log(`sealed segment ${m.segment}: ${m.count} events (${m.firstSeq}..${m.lastSeq})`);
  console.log(`archived ${s.archived.length} segment(s) to ${s.sinks.join(", ")}; checkpoint at ${s.checkpointSeq ?? "-"}; rotated ${s.rotation.rowsDropped} row(s)`);
}

/** `audit export --since … --until …`: NDJSON on stdout, archived segments then live rows. */
export async function auditExportCommand(since: string | undefined, until: string | undefined): Promise<void> {
  const range = { since: parseDate("--since", since), until: parseDate("--until", until) };
  await withLocalDeps("audit export", (deps) =>
    withAuditLifecycle(deps, async (life) => {
      for await (const event of exportAuditEvents(deps, life, range)) {
        if (!process.stdout.write(`${JSON.stringify(event)}\n`)) await once(process.stdout, "drain");
      }
    }),
  );
}
