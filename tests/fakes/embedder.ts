import type { Embedder } from "@/server/adapters/embeddings/types";

/**
 * Deterministic "embeddings" without a model: a hashed bag of words (identifiers split at camelCase
 * and snake_case, lower-cased), signed feature hashing, L2-normalized. Texts sharing words point the
 * same way, so nearest-neighbour tests and benches behave like a (very crude) semantic index.
 * Used in-process by `zeroLatencyEmbedder` and over HTTP by the OpenAI-compatible fake (openai.ts).
 */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function hashedBagOfWords(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const w of words(text)) {
    const h = fnv1a(w);
    v[h % dimensions]! += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  if (norm === 0) {
    v[0] = 1; // never a zero vector: cosine distance to it is undefined
    return v;
  }
  return v.map((x) => x / norm);
}

export interface FakeEmbedder extends Embedder {
  /** Calls and texts seen, for assertions (e.g. "only the changed file was embedded"). */
  calls: number;
  texts: number;
}

/** An in-process Embedder with no network and no delay, for benches and indexer tests. */
export function zeroLatencyEmbedder(opts: { dimensions?: number; model?: string } = {}): FakeEmbedder {
  const dimensions = opts.dimensions ?? 256;
  const embedder: FakeEmbedder = {
    model: opts.model ?? "fake-hashed-bow",
    dimensions,
    calls: 0,
    texts: 0,
    embed: async (texts) => {
      embedder.calls++;
      embedder.texts += texts.length;
      return { vectors: texts.map((t) => hashedBagOfWords(t, dimensions)), tokens: texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0) };
    },
  };
  return embedder;
}
