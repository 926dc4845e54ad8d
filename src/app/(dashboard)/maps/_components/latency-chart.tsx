"use client";

import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "../../../_trpc/client";
import { formatLatency } from "../../../_components/format";

type Point = RouterOutputs["connections"]["history"]["latency"][number];

const hhmm = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** Average latency over the last 24 h in 10-minute steps (recharts); gaps where nothing was up. */
export function LatencyChart({ points }: { points: Point[] }) {
  const measured = points.filter((p) => p.avgMs !== null);
  if (measured.length === 0) {
    return (
      <div className="flex h-24 items-center justify-center rounded-lg bg-slate-50 text-xs text-slate-400" data-testid="latency-chart" data-points={0}>
        No latency measured in the last 24 h
      </div>
    );
  }
  const data = points.map((p) => ({ t: p.t, avg: p.avgMs, max: p.maxMs, down: p.down }));
  // a step measured between two gaps would be an invisible area of zero width: mark it with a dot
  const isolated = (i: number) => data[i]?.avg != null && data[i - 1]?.avg == null && data[i + 1]?.avg == null;
  const dot = (props: { cx?: number; cy?: number; index?: number }) =>
    props.index !== undefined && isolated(props.index) && props.cx !== undefined && props.cy !== undefined ? (
      <circle key={`dot-${props.index}`} cx={props.cx} cy={props.cy} r={3} fill="#4f46e5" />
    ) : (
      <g key={`dot-${props.index}`} />
    );
  return (
    <div className="h-24 w-full" data-testid="latency-chart" data-points={measured.length} role="img" aria-label={`Latency over the last 24 hours, ${measured.length} measured steps`}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height: 96 }}>
        <AreaChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="t" tickFormatter={hhmm} minTickGap={40} tick={{ fontSize: 10, fill: "#64748b" }} tickLine={false} axisLine={false} />
          <YAxis width={56} tick={{ fontSize: 10, fill: "#64748b" }} tickFormatter={(v: number) => formatLatency(v)} tickLine={false} axisLine={false} allowDecimals={false} />
          <Tooltip
            labelFormatter={(label) => hhmm(String(label))}
            formatter={(value, name) => [formatLatency(typeof value === "number" ? value : null), name === "avg" ? "average" : "worst"]}
            contentStyle={{ fontSize: 12, borderRadius: 8 }}
          />
          <Area type="monotone" dataKey="max" stroke="#c7d2fe" fill="#eef2ff" strokeWidth={1} connectNulls={false} isAnimationActive={false} />
          <Area type="monotone" dataKey="avg" stroke="#4f46e5" fill="#c7d2fe" strokeWidth={1.5} connectNulls={false} isAnimationActive={false} dot={dot} activeDot={{ r: 3 }} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
