import type { ReactNode } from "react";

export type Tone = "green" | "red" | "amber" | "slate" | "indigo" | "sky";

const TONES: Record<Tone, string> = {
  green: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/20",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  slate: "bg-slate-100 text-slate-600 ring-slate-500/20",
  indigo: "bg-indigo-50 text-indigo-700 ring-indigo-600/20",
  sky: "bg-sky-50 text-sky-700 ring-sky-600/20",
};

export function Badge({ tone, children, testId, title }: { tone: Tone; children: ReactNode; testId?: string; title?: string }) {
  return (
    <span className={`inline-flex shrink-0 items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`} data-testid={testId} title={title}>
      {children}
    </span>
  );
}

const OUTCOME_TONE: Record<string, Tone> = { success: "green", failure: "red", denied: "amber" };

/** An audit outcome: success, failure or denied. */
export function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <Badge tone={OUTCOME_TONE[outcome] ?? "slate"} testId="outcome">
      {outcome}
    </Badge>
  );
}
