/**
 * A one-line progress bar on stderr (files done/total, rate, ETA), redrawn in place on a terminal
 * and printed at most every few seconds otherwise (CI logs).
 */
export class ProgressBar {
  private started = Date.now();
  private lastPrint = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(private readonly label: string) {}

  update(done: number, total: number, force = false) {
    const now = Date.now();
    if (!force && now - this.lastPrint < (this.tty ? 100 : 3_000)) return;
    this.lastPrint = now;
    const secs = Math.max((now - this.started) / 1000, 0.001);
    const rate = done / secs;
    const eta = rate > 0 && total > done ? Math.ceil((total - done) / rate) : 0;
    const width = 28;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    const line = `${this.label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${done}/${total} files  ${rate.toFixed(1)} files/s  ETA ${formatDuration(eta * 1000)}`;
    process.stderr.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  end() {
    if (this.tty) process.stderr.write("\n");
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
