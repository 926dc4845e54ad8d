import type { RepoIndexOutcome } from "@/server/features/repos/indexer/jobs";
import type { IndexProgress } from "@/server/features/repos/indexer/run";
import { formatDuration, ProgressBar } from "./progress";
import { execute } from "./transport";

/** `orchestrator index`. */

function summaryLines(outcomes: RepoIndexOutcome[]): string[] {
  return outcomes.map((o) => {
    if (o.status !== "succeeded") return `${o.repoId}: ${o.status} — ${o.error}`;
    const r = o.result;
    return [
      `${r.repoId} @ ${r.toSha.slice(0, 12)}: indexed in ${formatDuration(r.durationMs)}`,
      `  files: ${r.added} added, ${r.changed} changed, ${r.removed} removed, ${r.skipped} skipped, ${r.unchanged} unchanged`,
      `  chunks written: ${r.chunks}; tokens embedded: ${r.tokensEmbedded}; secrets redacted: ${r.redactions}`,
      ...(r.warnings.length ? [`  warnings (${r.warnings.length}): ${r.warnings.slice(0, 5).join("; ")}`] : []),
    ].join("\n");
  });
}

export async function indexCommand(opts: { repo?: string; full: boolean }): Promise<number> {
  const bars = new Map<string, ProgressBar>();
  const show = (repoId: string, done: number, total: number, force = false) => {
    let bar = bars.get(repoId);
    if (!bar) bars.set(repoId, (bar = new ProgressBar(repoId)));
    bar.update(done, total, force);
  };
  const outcomes = (await execute(
    { op: "index.run", repo: opts.repo, full: opts.full },
    {
      timeoutMs: 6 * 3_600_000,
      hooks: {
        onIndexProgress: (repoId: string, p: IndexProgress) => {
          if (p.phase === "snapshot")
            bars.set(repoId, new ProgressBar(repoId)); // the clock starts with the run
          else show(repoId, p.done, p.total, p.phase === "done");
        },
      },
      poll: {
        cmd: { op: "index.progress" },
        everyMs: 500,
        onResult: (runs) => {
          for (const r of runs as { repoId: string; filesDone: number; filesTotal: number }[]) show(r.repoId, r.filesDone, r.filesTotal, true);
        },
      },
    },
  )) as RepoIndexOutcome[];
  for (const bar of bars.values()) bar.end();
  console.log(summaryLines(outcomes).join("\n"));
  return outcomes.some((o) => o.status !== "succeeded") ? 1 : 0;
}
