/**
 * How uptime reads on the Connections page: a colour per day cell and a label. A day without probes
 * is its own tone ("no data"), never green: no data is not 100 %.
 */
export type UptimeTone = "none" | "full" | "high" | "degraded" | "poor" | "bad";

export function uptimeTone(pct: number | null): UptimeTone {
  if (pct === null) return "none";
  if (pct >= 100) return "full";
  if (pct >= 99) return "high";
  if (pct >= 95) return "degraded";
  if (pct >= 80) return "poor";
  return "bad";
}

export const TONE_CLASS: Record<UptimeTone, string> = {
  none: "bg-slate-200",
  full: "bg-emerald-500",
  high: "bg-emerald-300",
  degraded: "bg-amber-400",
  poor: "bg-orange-500",
  bad: "bg-red-500",
};

/** "100 %", "99.95 %", "—" (no probes). Never rounds a partial outage up to 100. */
export function formatPct(pct: number | null): string {
  if (pct === null) return "—";
  if (pct >= 100) return "100 %";
  const fixed = pct >= 99 ? Math.floor(pct * 100) / 100 : Math.floor(pct * 10) / 10;
  return `${fixed} %`;
}

/** A day cell's tooltip: "2026-11-27: 97.9 % up (47 probes, 1 down)" or "…: no data". */
export function dayLabel(cell: { day: string; pct: number | null; probes: number; down: number }): string {
  if (cell.probes === 0) return `${cell.day}: no data`;
  return `${cell.day}: ${formatPct(cell.pct)} up (${cell.probes} probe${cell.probes === 1 ? "" : "s"}, ${cell.down} down)`;
}
