const STYLE = {
  pending: { text: "Live", dot: "bg-emerald-500 animate-pulse", tone: "text-emerald-700" },
  connecting: { text: "Connecting…", dot: "bg-amber-400", tone: "text-amber-700" },
  idle: { text: "Paused", dot: "bg-slate-300", tone: "text-slate-500" },
  error: { text: "Live updates lost, retrying", dot: "bg-red-500", tone: "text-red-700" },
} as const;

/** Whether the page is receiving live updates (the SSE subscription's state). */
export function LiveBadge({ status }: { status: keyof typeof STYLE }) {
  const s = STYLE[status];
  return (
    <span className={`inline-flex items-center gap-1.5 text-xs font-medium ${s.tone}`} data-testid="live-status" data-status={status}>
      <span className={`h-2 w-2 rounded-full ${s.dot}`} aria-hidden="true" />
      {s.text}
    </span>
  );
}
