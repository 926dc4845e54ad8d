import { band, finding, hoursBetween, round1, type Rule } from "./types";

/** Intents waiting for approval longer than a day, and intents that expired without anyone deciding. */
const WAIT_HOURS = 24;

export const intentWaiting: Rule = (s) => {
  const waiting = s.pendingIntents.filter((i) => hoursBetween(i.createdAt, s.now) >= WAIT_HOURS);
  if (waiting.length === 0) return [];
  const oldest = waiting[0]!;
  const oldestHours = round1(hoursBetween(oldest.createdAt, s.now));
  return [
    finding("intent-waiting", "pending", {
      severity: "warning",
      title: `${waiting.length} ${waiting.length === 1 ? "intent waits" : "intents wait"} for approval over a day`,
      summary: `${waiting.length} ${waiting.length === 1 ? "intent has" : "intents have"} waited for approval more than ${WAIT_HOURS} h; the oldest (${oldest.action} from ${oldest.requester}) for ${oldestHours} h.`,
      action: "Approve or deny them on the Approvals page, or cancel the ones no longer wanted.",
      evidence: [
        { label: "waiting over 24 h", value: waiting.length, href: "/approvals" },
        { label: "oldest", value: oldest.id, href: `/approvals/${oldest.id}` },
        { label: "oldest waiting", value: oldestHours, unit: "h", href: `/ai/intents/${oldest.id}` },
      ],
      material: {
        ids: waiting
          .map((i) => i.id)
          .sort()
          .join(","),
      },
    }),
  ];
};

export const intentExpiredUnseen: Rule = (s) => {
  const expired = s.expiredUnseen;
  if (expired.length === 0) return [];
  return [
    finding("intent-expired-unseen", "expired", {
      severity: "info",
      title: `${expired.length} ${expired.length === 1 ? "intent" : "intents"} expired unseen this week`,
      summary: `${expired.length} ${expired.length === 1 ? "intent" : "intents"} expired in the last 7 days with no approver deciding (${[...new Set(expired.map((i) => i.action))].join(", ")}).`,
      action: "Check that approvers get notified, or shorten what the policy asks approval for.",
      evidence: [
        { label: "expired undecided (7 d)", value: expired.length, href: "/approvals/history" },
        ...expired.slice(0, 3).map((i) => ({ label: `${i.action} from ${i.requester}`, value: i.id, href: `/approvals/${i.id}` })),
      ],
      material: { count: band(expired.length, [1, 3, 10, 30]) },
    }),
  ];
};
