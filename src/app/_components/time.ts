/** Times as people read them on a dashboard: "just now", "5 min ago", "in 14:32". */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "45 s ago", "5 min ago", "3 h ago", "2 d ago"; future times read "in …". */
export function formatRelative(iso: string | null, now: number): string {
  if (!iso) return "—";
  const diff = now - new Date(iso).getTime();
  const abs = Math.abs(diff);
  const say = (text: string) => (diff >= 0 ? `${text} ago` : `in ${text}`);
  if (abs < 5_000) return "just now";
  if (abs < MINUTE) return say(`${Math.floor(abs / 1_000)} s`);
  if (abs < HOUR) return say(`${Math.floor(abs / MINUTE)} min`);
  if (abs < DAY) return say(`${Math.floor(abs / HOUR)} h`);
  return say(`${Math.floor(abs / DAY)} d`);
}

/** Time left as a countdown: "14:05", "1:02:09", "3 d 4 h"; "expired" at or below zero. */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return "expired";
  const total = Math.ceil(ms / 1_000);
  if (total >= 2 * 86_400) return `${Math.floor(total / 86_400)} d ${Math.floor((total % 86_400) / 3_600)} h`;
  const h = Math.floor(total / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** "2026-11-27 14:05:09" in the viewer's time zone: sortable and unambiguous in a table. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The value of an <input type="datetime-local"> for an ISO time, in the viewer's time zone. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return formatDateTime(iso).replace(" ", "T").slice(0, 16);
}

/** An <input type="datetime-local"> value back to ISO (UTC); undefined when empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
