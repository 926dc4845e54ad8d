import { ChartLegend } from "./chart-legend";
import type { RouterOutputs } from "../_trpc/client";

type Activity = RouterOutputs["status"]["activity"];

/** Requests per minute over the last hour as bars, the failed share of each minute in red. */
export function ActivityChart({ activity }: { activity: Activity }) {
  const peak = Math.max(1, ...activity.perMinute.map((m) => m.requests));
  const n = activity.perMinute.length;
  return (
    <figure className="mt-5" data-testid="activity-chart">
      <svg viewBox={`0 0 ${n * 4} 40`} preserveAspectRatio="none" className="h-14 w-full" role="img" aria-label={`Requests per minute over the last hour, peak ${peak}`}>
        {activity.perMinute.map((m, i) => {
          const h = (m.requests / peak) * 38;
          const e = (m.errors / peak) * 38;
          return (
            <g key={m.minute}>
              <title>{`${new Date(m.minute).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}: ${m.requests} requests, ${m.errors} errors`}</title>
              <rect x={i * 4} y={0} width={3.2} height={40} className="fill-transparent" />
              {m.requests > 0 ? (
                <>
                  <rect x={i * 4} y={40 - h} width={3.2} height={h - e} rx={0.6} className="fill-indigo-400" />
                  {e > 0 && <rect x={i * 4} y={40 - e} width={3.2} height={e} className="fill-red-400" />}
                </>
              ) : (
                <rect x={i * 4} y={39} width={3.2} height={1} className="fill-slate-200" />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-1 flex justify-between text-[11px] text-slate-400">
        <span>60 min ago</span>
        <ChartLegend
          items={[
            { label: "requests", swatch: "bg-indigo-400" },
            { label: "errors", swatch: "bg-red-400" },
          ]}
        />
        <span>now</span>
      </figcaption>
    </figure>
  );
}
