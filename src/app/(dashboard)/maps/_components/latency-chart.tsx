import { ChartLegend } from "../../../_components/chart-legend";
import type { RouterOutputs } from "../../../_trpc/client";
import { formatLatency } from "../../../_components/format";

type Point = RouterOutputs["connections"]["history"]["latency"][number];

const W = 4; // width of one step in the drawing's units
const H = 40;

const hhmm = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** Runs of consecutive measured steps: a gap (nothing was up) breaks the line instead of drawing it at zero. */
function runs(values: (number | null)[]): { start: number; values: number[] }[] {
  const out: { start: number; values: number[] }[] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    const last = out.at(-1);
    if (last && last.start + last.values.length === i) last.values.push(v);
    else out.push({ start: i, values: [v] });
  });
  return out;
}

/** The filled area under one run, as an SVG path; a run of one step is drawn as a bar of one step's width. */
function areaPath(run: { start: number; values: number[] }, y: (v: number) => number): string {
  const xs = run.values.length === 1 ? [run.start * W, run.start * W + W * 0.8] : run.values.map((_, k) => (run.start + k) * W + W / 2);
  const ys = run.values.length === 1 ? [y(run.values[0]!), y(run.values[0]!)] : run.values.map(y);
  const line = xs.map((x, k) => `${k === 0 ? "M" : "L"}${x.toFixed(1)},${ys[k]!.toFixed(1)}`).join(" ");
  return `${line} L${xs.at(-1)!.toFixed(1)},${H} L${xs[0]!.toFixed(1)},${H} Z`;
}

/** Average latency over the last 24 h in 10-minute steps, the worst call of each step behind it; gaps where nothing was up. */
export function LatencyChart({ points }: { points: Point[] }) {
  const measured = points.filter((p) => p.avgMs !== null);
  if (measured.length === 0) {
    return (
      <div className="flex h-24 items-center justify-center rounded-lg bg-slate-50 text-xs text-slate-400" data-testid="latency-chart" data-points={0}>
        No latency measured in the last 24 h
      </div>
    );
  }
  const peak = Math.max(1, ...measured.map((p) => p.maxMs ?? p.avgMs ?? 0));
  const y = (v: number) => H - (v / peak) * (H - 2);
  const n = points.length;
  return (
    <figure className="w-full" data-testid="latency-chart" data-points={measured.length}>
      <div className="flex gap-2">
        <div className="flex h-20 w-10 shrink-0 flex-col justify-between whitespace-nowrap text-right text-[10px] text-slate-500">
          <span>{formatLatency(peak)}</span>
          <span>0</span>
        </div>
        <svg
          viewBox={`0 0 ${n * W} ${H}`}
          preserveAspectRatio="none"
          className="h-20 w-full"
          role="img"
          aria-label={`Latency over the last 24 hours, ${measured.length} measured steps, worst ${formatLatency(peak)}`}
        >
          <line x1={0} x2={n * W} y1={H / 2} y2={H / 2} className="stroke-slate-200" strokeDasharray="3 3" strokeWidth={0.3} vectorEffect="non-scaling-stroke" />
          {runs(points.map((p) => p.maxMs)).map((r) => (
            <path key={`max-${r.start}`} d={areaPath(r, y)} className="fill-indigo-50 stroke-indigo-200" strokeWidth={1} vectorEffect="non-scaling-stroke" />
          ))}
          {runs(points.map((p) => p.avgMs)).map((r) => (
            <path key={`avg-${r.start}`} d={areaPath(r, y)} className="fill-indigo-200 stroke-indigo-600" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
          ))}
          {points.map((p, i) => (
            <rect key={p.t} x={i * W} y={0} width={W} height={H} className="fill-transparent">
              <title>{`${hhmm(p.t)}: ${p.avgMs === null ? "no latency measured" : `average ${formatLatency(p.avgMs)}, worst ${formatLatency(p.maxMs)}`}${p.down ? `, ${p.down} probe${p.down === 1 ? "" : "s"} down` : ""}`}</title>
            </rect>
          ))}
        </svg>
      </div>
      <figcaption className="mt-1 flex justify-between pl-12 text-[10px] text-slate-400">
        <span>24 h ago</span>
        <ChartLegend
          items={[
            { label: "average", swatch: "bg-indigo-300" },
            { label: "worst", swatch: "bg-indigo-100" },
          ]}
        />
        <span>now</span>
      </figcaption>
    </figure>
  );
}
