import { finding, hoursBetween, round1, type Rule } from "./types";

/** A scheduled job whose last success is older than two of its intervals (or that never succeeded). */
export const jobLate: Rule = (s) =>
  s.lateJobs.flatMap((j) => {
    const lateBy = j.lastSuccessAt ? hoursBetween(j.lastSuccessAt, s.now) * 3600 : Infinity;
    if (lateBy < 2 * j.intervalSeconds) return [];
    const hours = j.lastSuccessAt ? round1(lateBy / 3600) : null;
    return [
      finding("job-late", j.name, {
        severity: lateBy >= 6 * j.intervalSeconds ? "critical" : "warning",
        title: `Job ${j.name} is late`,
        summary: j.lastSuccessAt
          ? `Job ${j.name} last succeeded ${hours} h ago; it should run every ${round1(j.intervalSeconds / 3600)} h.`
          : `Job ${j.name} has never succeeded; it should run every ${round1(j.intervalSeconds / 3600)} h.`,
        action: `Open the job's runs, read the last error, and run ${j.name} by hand once fixed.`,
        evidence: [
          { label: "last success", value: j.lastSuccessAt ?? "never", href: "/ai/jobs" },
          { label: "interval", value: j.intervalSeconds, unit: "s" },
        ],
        material: { lastSuccessAt: j.lastSuccessAt },
      }),
    ];
  });
