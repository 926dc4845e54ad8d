"use client";

import { useState } from "react";
import type { RouterOutputs } from "../../../_trpc/client";
import { TONE_CLASS, dayLabel, formatPct, uptimeTone } from "./uptime-scale";

type Day = RouterOutputs["connections"]["history"]["days"][number];

/**
 * 90 days, one cell a day, coloured by that day's uptime (grey: no probes). Hovering, focusing or
 * tapping a cell shows its day below the bar; each cell also carries a native tooltip.
 */
export function UptimeBar({ days, pct90 }: { days: Day[]; pct90: number | null }) {
  const [active, setActive] = useState<Day | null>(null);
  const withData = days.filter((d) => d.probes > 0).length;
  return (
    <figure data-testid="uptime-bar">
      <div className="flex items-baseline justify-between text-[11px] text-slate-500">
        <span>90 days</span>
        <span data-testid="uptime-90d" title={`${withData} of ${days.length} days had probes`}>
          {formatPct(pct90)} uptime
        </span>
      </div>
      <div className="mt-1 flex h-6 items-stretch gap-px" role="list" aria-label="Uptime per day over the last 90 days">
        {days.map((d) => {
          const tone = uptimeTone(d.probes ? d.pct : null);
          return (
            <button
              type="button"
              role="listitem"
              key={d.day}
              title={dayLabel(d)}
              aria-label={dayLabel(d)}
              data-testid="uptime-cell"
              data-day={d.day}
              data-tone={tone}
              onMouseEnter={() => setActive(d)}
              onMouseLeave={() => setActive(null)}
              onFocus={() => setActive(d)}
              onBlur={() => setActive(null)}
              onClick={() => setActive(d)}
              className={`min-w-0 flex-1 rounded-[1px] ${TONE_CLASS[tone]} hover:opacity-70 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500`}
            />
          );
        })}
      </div>
      <figcaption className="mt-1 flex justify-between text-[11px] text-slate-400" aria-live="polite">
        {active ? (
          <span className="text-slate-700" data-testid="uptime-tooltip">
            {dayLabel(active)}
          </span>
        ) : (
          <>
            <span>90 d ago</span>
            <span className="flex items-center gap-1">
              <span className={`h-2 w-2 rounded-sm ${TONE_CLASS.none}`} aria-hidden="true" /> no data
            </span>
            <span>today</span>
          </>
        )}
      </figcaption>
    </figure>
  );
}
