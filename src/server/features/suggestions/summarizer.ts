import type OpenAI from "openai";
import { z } from "zod";
import { openAIClient, DEFAULT_CHAT_MODEL } from "@/server/adapters/embeddings/openai";
import { redact } from "@/server/core/audit/redact";
import type { Env } from "@/env";
import { corpusOf, ungrounded } from "./grounding";
import { SEVERITIES, type Finding } from "./rules";

/**
 * The briefing: the rules' own text, or — with a model configured — a short briefing and one
 * action sentence per finding written by the model through structured output. Each piece of model
 * text must pass the grounded check (grounding.ts) or it is dropped and the rules' text stands; a
 * timeout, an error or an invalid answer falls back to the rules' text entirely.
 */
export interface Briefing {
  source: "rules" | "model";
  text: string;
  /** Action sentence per finding key, where the model's passed the check. */
  actions: Record<string, string>;
  model: string | null;
  /** What the model wrote that was dropped, and why (kept for the audit entry, never shown as advice). */
  rejected: { key: string; unknown: string[] }[];
}

export interface Summarizer {
  readonly model: string;
  summarize(findings: Finding[], extra: { gaps: string[] }): Promise<Briefing>;
}

const MAX_TITLES = 5;

/** The briefing without a model: counts, then the most severe titles. */
export function rulesBriefing(findings: Finding[], gaps: string[] = []): Briefing {
  const gapLine = gaps.length ? ` Not checked this time: ${gaps.length === 1 ? "one signal" : `${gaps.length} signals`} could not be read.` : "";
  if (findings.length === 0) return { source: "rules", text: `Nothing needs attention today: no rule found a problem.${gapLine}`, actions: {}, model: null, rejected: [] };
  const counts = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const head = `${findings.length} ${findings.length === 1 ? "suggestion" : "suggestions"} today (${counts.map(([s, n]) => `${n} ${s}`).join(", ")}).`;
  const titles = findings.slice(0, MAX_TITLES).map((f) => `${f.title}.`);
  const more = findings.length > MAX_TITLES ? [`And ${findings.length - MAX_TITLES} more.`] : [];
  return { source: "rules", text: [head, ...titles, ...more].join(" ") + gapLine, actions: {}, model: null, rejected: [] };
}

const answerSchema = z.object({
  briefing: z.string().min(1).max(1_500),
  actions: z.array(z.object({ id: z.string().max(20), sentence: z.string().min(1).max(400) })).max(100),
});

/** The same shape for the model, in the subset of JSON Schema that OpenAI's strict structured output accepts (no length limits; zod checks those). */
const ANSWER_JSON_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["briefing", "actions"],
  properties: {
    briefing: { type: "string", description: "At most four sentences" },
    actions: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "sentence"],
        properties: { id: { type: "string", description: "The finding's id, e.g. F1" }, sentence: { type: "string" } },
      },
    },
  },
};

const SYSTEM_PROMPT = [
  "You write the daily operations briefing of a small engineering team from findings their monitoring rules produced.",
  "Write `briefing`: at most four sentences, most urgent first, plain text.",
  "Write one `actions` entry per finding id: one imperative sentence saying what a person should do next.",
  "Use only the numbers and names that appear in the findings. Do not invent versions, branches, hosts, people, counts or percentages.",
].join(" ");

/** What the model sees: severities, titles, summaries and evidence values. No links, no code, no configuration; secrets redacted again. */
export function promptOf(findings: Finding[]): string {
  const items = findings.map((f, i) => ({
    id: `F${i + 1}`,
    severity: f.severity,
    title: f.title,
    summary: f.summary,
    evidence: f.evidence.map((e) => `${e.label}: ${e.value}${e.unit ? ` ${e.unit}` : ""}`),
  }));
  return JSON.stringify(redact({ findings: items }));
}

export class ModelSummarizer implements Summarizer {
  constructor(
    private readonly client: OpenAI,
    readonly model: string,
    private readonly timeoutMs: number,
  ) {}

  async summarize(findings: Finding[], extra: { gaps: string[] }): Promise<Briefing> {
    const fallback = rulesBriefing(findings, extra.gaps);
    if (findings.length === 0) return fallback;
    let answer: z.infer<typeof answerSchema>;
    try {
      answer = await this.ask(findings);
    } catch (err) {
      console.warn(`[suggestions] the model's briefing failed, the rules' text stands: ${(err as Error).message}`);
      return fallback;
    }
    const counts = SEVERITIES.map((s) => findings.filter((f) => f.severity === s).length);
    const rejected: Briefing["rejected"] = [];
    const unknown = ungrounded(answer.briefing, corpusOf(findings, [findings.length, ...counts]));
    if (unknown.length) rejected.push({ key: "briefing", unknown });
    const actions: Record<string, string> = {};
    for (const a of answer.actions) {
      const f = findings[Number(a.id.replace(/^F/, "")) - 1];
      if (!f || actions[f.key]) continue;
      const bad = ungrounded(a.sentence, corpusOf([f]));
      if (bad.length) rejected.push({ key: f.key, unknown: bad });
      else actions[f.key] = a.sentence.trim();
    }
    return { source: unknown.length ? "rules" : "model", text: unknown.length ? fallback.text : answer.briefing.trim(), actions, model: this.model, rejected };
  }

  private async ask(findings: Finding[]) {
    const res = await this.client.chat.completions.create(
      {
        model: this.model,
        messages: [
          { role: "system", content: SYSTEM_PROMPT },
          { role: "user", content: promptOf(findings) },
        ],
        response_format: { type: "json_schema", json_schema: { name: "briefing", strict: true, schema: ANSWER_JSON_SCHEMA } },
      },
      { signal: AbortSignal.timeout(this.timeoutMs), timeout: this.timeoutMs },
    );
    const content = res.choices[0]?.message?.content ?? "";
    return answerSchema.parse(JSON.parse(content));
  }
}

/** The model summarizer when OPENAI_API_KEY is set; null means the rules' text is the briefing. */
export function summarizerFromEnv(e: Pick<Env, "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_CHAT_MODEL" | "SUGGESTIONS_SUMMARY_TIMEOUT_MS">): Summarizer | null {
  if (!e.OPENAI_API_KEY) return null;
  const timeoutMs = e.SUGGESTIONS_SUMMARY_TIMEOUT_MS;
  // one retry at most: a briefing that waits minutes helps nobody, and the rules' text is a fine answer
  const client = openAIClient({ apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL, timeoutMs, retry: { maxRetries: 1, baseDelayMs: 250, attemptTimeoutMs: timeoutMs } });
  return new ModelSummarizer(client, e.OPENAI_CHAT_MODEL ?? DEFAULT_CHAT_MODEL, timeoutMs);
}
