import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Entry } from "@/server/features/context/schema";
import type { SessionView } from "@/server/features/cursor/schema";

/**
 * `.cursor/rules/orchestrator-context.mdc`: a Cursor project rule applied to every request
 * (`alwaysApply: true`), so Cursor's agent starts from what GPT and the team share.
 */
export const RULES_FILE = path.join(".cursor", "rules", "orchestrator-context.mdc");
const VALUE_CHARS = 600;

export interface RulesContent {
  scopes: { scope: string; entries: Entry[] }[];
  sessions: SessionView[];
  /** Today's suggestions as the server gave them; null when the server has none to give (404). */
  suggestions: unknown;
  at: Date;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** GET /ai/suggestions/daily's answer: the day's briefing and its findings (open ones first). */
interface Daily {
  briefing?: { text?: string };
  findings?: { title?: string; severity?: string; summary?: string; action?: string | null }[];
}

function suggestionLines(suggestions: unknown): string[] {
  if (suggestions === null || suggestions === undefined) return ["_No suggestions from the server today (or the key lacks suggestions:read)._"];
  const daily = suggestions as Daily;
  if (!Array.isArray(daily.findings)) return ["```json", clip(JSON.stringify(suggestions, null, 2), 4_000), "```"];
  const briefing = daily.briefing?.text ? [clip(daily.briefing.text, 1_500), ""] : [];
  if (daily.findings.length === 0) return [...briefing, "_No suggestions today._"];
  return [
    ...briefing,
    ...daily.findings.slice(0, 20).map((f) => {
      const detail = f.action ?? f.summary;
      return `- ${f.severity ? `**${f.severity}** ` : ""}${f.title ?? clip(JSON.stringify(f), 200)}${detail ? ` — ${clip(detail, 300)}` : ""}`;
    }),
  ];
}

export function renderRules(c: RulesContent): string {
  const lines = [
    "---",
    "description: Shared context, live IDE sessions and today's suggestions from Ops Orchestrator",
    "alwaysApply: true",
    "---",
    "",
    "# Ops Orchestrator context",
    "",
    `Written by \`npx orchestrator cursor listen\` at ${c.at.toISOString()}; rewritten on every change, so do not edit it.`,
    "It is what GPT and the team share. Write back with the MCP tool `putContext` (or PUT /ai/context).",
    "",
    "## Shared context",
  ];
  for (const { scope, entries } of c.scopes) {
    lines.push("", `### ${scope}`);
    if (entries.length === 0) lines.push("_No entries._");
    for (const e of entries) lines.push(`- \`${e.key}\` (v${e.version}, by ${e.updatedBy.id}, ${e.updatedAt}): ${clip(JSON.stringify(e.value), VALUE_CHARS)}`);
  }
  lines.push("", "## Active IDE sessions");
  if (c.sessions.length === 0) lines.push("_None._");
  for (const s of c.sessions) {
    const symbols = [...new Set(s.changedFiles.flatMap((f) => f.symbols))].slice(0, 15);
    lines.push(
      `- \`${s.sessionId}\` (${s.owner}): ${s.repo}@${s.branch ?? "(detached)"} ${s.head?.slice(0, 8) ?? ""}${s.activeFile ? `, editing \`${s.activeFile}\`` : ""} — ${s.totals.files} files changed (+${s.totals.additions} −${s.totals.deletions})${symbols.length ? `; touches ${symbols.join(", ")}` : ""}`,
    );
  }
  lines.push("", "## Today's suggestions", ...suggestionLines(c.suggestions), "");
  return lines.join("\n");
}

const WRITTEN_LINE = /^Written by .*$/m;

/**
 * Replaces the file in one step (write beside it, then rename), so Cursor never reads half of it; leaves
 * it alone (null) when only the time would change, so a watcher of the checkout is not woken for nothing.
 */
export async function writeRules(root: string, content: RulesContent): Promise<string | null> {
  const file = path.join(root, RULES_FILE);
  const text = renderRules(content);
  const current = await readFile(file, "utf8").catch(() => null);
  if (current !== null && current.replace(WRITTEN_LINE, "") === text.replace(WRITTEN_LINE, "")) return null;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
  return file;
}
