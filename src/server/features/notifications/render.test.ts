import { describe, expect, it } from "vitest";
import { notifyChannelsFromEnv, notifySecrets, scrubSecrets } from "@/server/adapters/notify";
import { emailParts } from "@/server/adapters/notify/email";
import { slackMessage } from "@/server/adapters/notify/slack";
import { EVENT_TYPES, eventSchemas, type NotificationEvent } from "./events";
import { notificationOf, renderEvent } from "./render";

const BASE = "https://ops.example.com";
const samples: NotificationEvent[] = [
  { type: "job.late", data: { job: "index-repos", expectedAt: "2026-12-06T02:00:00Z", lateBySeconds: 900, lastRunAt: null } },
  { type: "suggestion.critical", data: { suggestionId: "s1", title: "TLS certificate expires in 3 days", summary: "shop.example.com" } },
  { type: "digest.daily", data: { date: "2026-12-06", headline: "2 findings need attention", items: [{ title: "CI failure rate 30 %", severity: "high" }, { title: "Backups ok" }] } },
];

describe("rendering", () => {
  it("renders the events raised by other features, with an absolute link to the dashboard", () => {
    expect(renderEvent(samples[0]!, BASE)).toEqual({
      title: "Job late: index-repos",
      lines: ["index-repos was due at 2026-12-06T02:00:00Z and is 15 min late.", "Last run: never."],
      link: { label: "Open the status page", url: "https://ops.example.com/" },
    });
    expect(renderEvent(samples[1]!, BASE).link?.url).toBe("https://ops.example.com/suggestions");
    expect(renderEvent(samples[2]!, BASE).lines).toEqual(["2 findings need attention", "• [high] CI failure rate 30 %", "• Backups ok"]);
    for (const s of samples) expect(eventSchemas[s.type].safeParse(s.data).success).toBe(true);
    expect(EVENT_TYPES).toHaveLength(9);
  });

  it("Slack gets Block Kit with a button; email escapes what agents wrote", () => {
    const n = notificationOf(
      {
        id: "e1",
        type: "intent.approval_requested",
        severity: "warning",
        createdAt: new Date("2026-12-06T00:00:00Z"),
        payload: {
          intentId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
          action: "deploy",
          summary: "deploy a/b",
          reason: "<script>x</script>",
          requester: "client gpt",
          approverRoles: ["approver"],
          requesterUserId: null,
          clientId: "gpt",
          expiresAt: null,
        },
      },
      "e1.slack",
      BASE,
    );
    const slack = slackMessage(n);
    expect(slack.blocks.map((b) => b.type)).toEqual(["header", "section", "actions", "context"]);
    expect(slack.blocks[2]).toMatchObject({ elements: [{ type: "button", url: "https://ops.example.com/approvals/7c9e6679-7425-40de-944b-e07fc1f90ae7" }] });
    const mail = emailParts(n);
    expect(mail.html).toContain("&lt;script&gt;x&lt;/script&gt;");
    expect(mail.html).not.toContain("<script>");
    expect(mail.text).toContain("Reason: <script>x</script>");
  });
});

describe("secrets", () => {
  it("are scrubbed from error text: URLs, their paths, passwords and the signing secret", () => {
    const secrets = notifySecrets({
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T1/B2/abcdef",
      SMTP_URL: "smtp://bot:p%40ss-word@mail.example.com:587",
      NOTIFY_WEBHOOK_URL: undefined,
      NOTIFY_WEBHOOK_SECRET: "whsec-xyz",
    });
    const text = "POST https://hooks.slack.com/services/T1/B2/abcdef failed; path /services/T1/B2/abcdef; auth p@ss-word / p%40ss-word; sig whsec-xyz";
    const scrubbed = scrubSecrets(text, secrets);
    for (const s of ["abcdef", "p@ss-word", "p%40ss-word", "whsec-xyz"]) expect(scrubbed).not.toContain(s);
    expect(scrubbed).toContain("[redacted]");
  });
});

describe("channel configuration", () => {
  const none = { SLACK_WEBHOOK_URL: undefined, SMTP_URL: undefined, NOTIFY_EMAIL_FROM: undefined, NOTIFY_WEBHOOK_URL: undefined, NOTIFY_WEBHOOK_SECRET: undefined };
  it("only configured channels exist; a bad SMTP_URL or an unsigned webhook is refused without echoing the value", () => {
    expect(Object.keys(notifyChannelsFromEnv(none))).toEqual([]);
    expect(Object.keys(notifyChannelsFromEnv({ ...none, SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/x" }))).toEqual(["slack"]);
    expect(() => notifyChannelsFromEnv({ ...none, SMTP_URL: "bot:hunter2@mail" })).toThrow(/^SMTP_URL must look like/);
    expect(() => notifyChannelsFromEnv({ ...none, SMTP_URL: "bot:hunter2@mail" })).not.toThrow(/hunter2/);
    expect(() => notifyChannelsFromEnv({ ...none, NOTIFY_WEBHOOK_URL: "https://hooks.example.com/in" })).toThrow(/NOTIFY_WEBHOOK_SECRET/);
  });
});
