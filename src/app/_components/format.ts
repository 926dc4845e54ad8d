/** "3d 4h", "2h 5m", "4m 10s", "12s": the two largest units, enough to read at a glance. */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const units: [string, number][] = [
    ["d", Math.floor(s / 86_400)],
    ["h", Math.floor((s % 86_400) / 3_600)],
    ["m", Math.floor((s % 3_600) / 60)],
    ["s", s % 60],
  ];
  const first = units.findIndex(([, n]) => n > 0);
  if (first === -1) return "0s";
  return units
    .slice(first, first + 2)
    .filter(([, n]) => n > 0)
    .map(([unit, n]) => `${n}${unit}`)
    .join(" ");
}

export function formatLatency(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1) return "<1 ms";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(1)} s`;
}

/** "database" → "Database", "not_configured" → "Not configured". */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const DISPLAY_NAMES: Record<string, string> = {
  github: "GitHub",
  openai: "OpenAI",
  wordpress: "WordPress",
  smtp: "SMTP",
};

/** A connection's name as people write it ("github" → "GitHub"). */
export function connectionLabel(name: string): string {
  return DISPLAY_NAMES[name] ?? humanize(name);
}
