import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpenAIFake, type OpenAIFake } from "../../../../tests/fakes/openai";
import { parseEnv } from "@/env";
import { emptySnapshot } from "./snapshot";
import { runRules } from "./rules";
import { rulesBriefing, summarizerFromEnv, type Summarizer } from "./summarizer";

/** The model's briefing against a local OpenAI-compatible server: grounded text is used, anything else falls back to the rules' text. */
const API_KEY = "sk-test-suggestions-0123456789abcdef";
const LEAKY_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
let fake: OpenAIFake;
let summarizer: Summarizer;

const findings = runRules({
  ...emptySnapshot(new Date("2026-12-06T06:00:00Z")),
  connections: [
    {
      id: "wordpress-shop",
      label: "WordPress · shop",
      state: "down",
      since: "2026-12-06T04:00:00.000Z",
      error: `upstream said: token ${LEAKY_TOKEN} refused`,
      changes24h: 0,
      uptime7d: { pct: null, probes: 0, down: 0, coverage: 0 },
      latency: { p95Ms: null, hours: 0, baselineP95Ms: null, baselineHours: 0 },
      siteHealthCritical: [],
    },
  ],
  workflows: [
    { repo: "acme/web", workflow: "deploy-site", workflowId: 7, branch: "main", runs: 10, failures: 7, medianSeconds: 300, previousMedianSeconds: 300, previousRuns: 9, lastFailureUrl: null },
  ],
});
const [down, failing] = [findings.find((f) => f.rule === "connection-down")!, findings.find((f) => f.rule === "workflow-failing")!];
const idOf = (key: string) => `F${findings.findIndex((f) => f.key === key) + 1}`;
const reply = (briefing: string, actions: [string, string][]) => JSON.stringify({ briefing, actions: actions.map(([key, sentence]) => ({ id: idOf(key), sentence })) });

beforeAll(async () => {
  fake = await startOpenAIFake({ apiKey: API_KEY });
  summarizer = summarizerFromEnv(parseEnv({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.baseUrl, SUGGESTIONS_SUMMARY_TIMEOUT_MS: "400" }))!;
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.failures = [];
  fake.chatReplies = [];
  fake.delayMs = 0;
  fake.bodies = [];
});

describe("the model's briefing", () => {
  it("uses a grounded answer: the briefing and one action sentence per finding", async () => {
    fake.chatReplies.push(
      reply("2 critical: WordPress · shop is down and deploy-site in acme/web failed 7 of 10 runs (70%).", [
        [down.key, "Check wordpress-shop's host and credentials now."],
        [failing.key, "Fix deploy-site, then re-run it on main."],
      ]),
    );
    const b = await summarizer.summarize(findings, { gaps: [] });
    expect(b.source).toBe("model");
    expect(b.text).toBe("2 critical: WordPress · shop is down and deploy-site in acme/web failed 7 of 10 runs (70%).");
    expect(b.actions).toEqual({ [down.key]: "Check wordpress-shop's host and credentials now.", [failing.key]: "Fix deploy-site, then re-run it on main." });
    expect(b.rejected).toEqual([]);
  });

  it("rejects a briefing with an invented number and an action with an invented name; the rules' text stands for them", async () => {
    fake.chatReplies.push(
      reply("deploy-site failed 9 of 10 runs.", [
        [down.key, "Restart wordpress-shop."],
        [failing.key, "Roll back deploy-site to release/4.2."],
      ]),
    );
    const b = await summarizer.summarize(findings, { gaps: [] });
    expect(b.source).toBe("rules");
    expect(b.text).toBe(rulesBriefing(findings).text);
    expect(b.actions).toEqual({ [down.key]: "Restart wordpress-shop." });
    expect(b.rejected.map((r) => r.key)).toEqual(["briefing", failing.key]);
  });

  it.each([
    ["a 500 (and its one retry)", () => fake.failures.push({ status: 500 }, { status: 500 })],
    ["a timeout", () => (fake.delayMs = 2_000)],
    ["an answer that is not the schema", () => fake.chatReplies.push(JSON.stringify({ summary: "hi" }))],
    ["an answer that is not JSON", () => fake.chatReplies.push("Here is your briefing: all good")],
  ])("falls back to the rules' text on %s", async (_name, script) => {
    script();
    const b = await summarizer.summarize(findings, { gaps: [] });
    expect(b).toMatchObject({ source: "rules", text: rulesBriefing(findings).text, actions: {} });
  });

  it("asks for structured output, and the prompt carries no code, no links and no secrets", async () => {
    fake.chatReplies.push(reply("WordPress · shop is down.", []));
    await summarizer.summarize(findings, { gaps: [] });
    const body = fake.bodies.at(-1)!.body as { messages: { content: string }[]; response_format: { type: string } };
    expect(body.response_format.type).toBe("json_schema");
    const prompt = JSON.stringify(body.messages);
    expect(prompt).toContain("deploy-site");
    expect(prompt).not.toContain(LEAKY_TOKEN);
    expect(prompt).not.toContain(API_KEY);
    expect(prompt).not.toMatch(/```|\bfunction\b|\bimport\b|=>/);
    expect(prompt).not.toContain("/ai/");
  });

  it("is not asked anything when there is nothing to say", async () => {
    const b = await summarizer.summarize([], { gaps: [] });
    expect(b.text).toBe("Nothing needs attention today: no rule found a problem.");
    expect(fake.bodies).toEqual([]);
  });
});
