import type { Finding } from "./rules";

/**
 * The grounded check on model text: every number and every name it uses must come from the evidence
 * it was given. Names are what a model could invent plausibly: identifiers joined by punctuation
 * (acme/web, wordpress-main, deploy.yml, oo_ab12), quoted words, CamelCase words and acronyms.
 */
const NUMBER = /(?<![\w.])\d+(?:[.,]\d+)*(?![\w])/g;
const NAME = /(?<![\w./:-])[A-Za-z0-9][\w]*(?:[-./:@][\w]+)+|`[^`]+`|"[^"]+"|\b[a-z]+[A-Z]\w*\b|\b[A-Z][a-z]+[A-Z]\w*\b|\b[A-Z]{2,}s?\b/g;
/** Words and names any briefing may use though no evidence names them. */
const VOCABULARY = ["e.g", "i.e", "re-run", "follow-up", "up-to-date", "CI", "API", "APIs", "HTTP", "HTTPS", "TTL", "TTLs", "URL", "SSL", "DNS", "UTC", "WordPress", "GitHub", "OpenAI", "PostgreSQL"];

export interface Corpus {
  numbers: Set<number>;
  text: string;
}

function numbersIn(text: string): number[] {
  return (text.match(NUMBER) ?? []).map((n) => Number(n.replace(/,(?=\d{3}\b)/g, ""))).filter(Number.isFinite);
}

/** What a text about these findings may draw on: their titles, summaries, actions, subjects and evidence, plus extra facts (counts). */
export function corpusOf(findings: Finding[], extra: (string | number)[] = []): Corpus {
  const parts: string[] = [...VOCABULARY, ...extra.map(String)];
  for (const f of findings) {
    parts.push(f.title, f.summary, f.subject, f.action ?? "", f.severity);
    for (const e of f.evidence) parts.push(e.label, String(e.value), e.unit ?? "");
  }
  const text = parts.join("\n");
  const numbers = new Set<number>();
  for (const n of numbersIn(text)) {
    numbers.add(n);
    numbers.add(Math.round(n)); // "99.2 %" may be said "99 %"
  }
  return { numbers, text: text.toLowerCase() };
}

/** The numbers and names of `text` that the corpus does not hold; empty = grounded. */
export function ungrounded(text: string, corpus: Corpus): string[] {
  const out: string[] = [];
  for (const n of text.match(NUMBER) ?? []) {
    const value = Number(n.replace(/,(?=\d{3}\b)/g, ""));
    if (!corpus.numbers.has(value)) out.push(n);
  }
  for (const raw of text.match(NAME) ?? []) {
    const name = raw.replace(/^[`"]|[`"]$/g, "").replace(/[.:]+$/, "");
    if (name && !corpus.text.includes(name.toLowerCase())) out.push(name);
  }
  return out;
}
