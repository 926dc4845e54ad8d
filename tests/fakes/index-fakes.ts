import { createHash } from "node:crypto";
import type { Embedder, Summarizer } from "@/server/adapters/embeddings/types";
import type { VectorMatch, VectorRecord, VectorStore } from "@/server/adapters/vectors/types";

/** A zero-latency embedder that records every text it is given (tests assert what was sent, and how much). */
export class CountingEmbedder implements Embedder {
  readonly model = "fake-embedding";
  readonly dimensions = 8;
  texts: string[] = [];
  calls = 0;
  constructor(private readonly failOnCall?: number) {}

  async embed(texts: string[]) {
    this.calls++;
    if (this.failOnCall === this.calls) throw new Error(`embedder down (call ${this.calls})`);
    this.texts.push(...texts);
    const vectors = texts.map((t) => {
      const h = createHash("sha256").update(t).digest();
      return Array.from({ length: this.dimensions }, (_, i) => h[i]! / 255);
    });
    return { vectors, tokens: texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0) };
  }
}

/** Summaries that quote their input, so a test can see what the model was shown. */
export class EchoSummarizer implements Summarizer {
  inputs: string[] = [];
  async summarize(input: { path: string; kind: "file" | "folder"; text: string }) {
    this.inputs.push(input.text);
    return `Model summary of ${input.kind} ${input.path}`;
  }
}

/** An in-memory vector store with the VectorStore contract (namespaces, upsert overwrites by id). */
export class MemoryVectorStore implements VectorStore {
  readonly kind = "pgvector" as const;
  readonly spaces = new Map<string, Map<string, VectorRecord>>();

  private space(ns: string) {
    let s = this.spaces.get(ns);
    if (!s) this.spaces.set(ns, (s = new Map()));
    return s;
  }
  async upsert(ns: string, records: VectorRecord[]) {
    for (const r of records) this.space(ns).set(r.id, r);
  }
  async deleteIds(ns: string, ids: string[]) {
    for (const id of ids) this.space(ns).delete(id);
  }
  async query(ns: string, vector: number[], opts: { topK: number }): Promise<VectorMatch[]> {
    const score = (v: number[]) => v.reduce((s, x, i) => s + x * (vector[i] ?? 0), 0);
    return [...this.space(ns).values()]
      .map((r) => ({ id: r.id, score: score(r.values), metadata: r.metadata }))
      .sort((a, b) => b.score - a.score)
      .slice(0, opts.topK);
  }
  ids(ns: string) {
    return [...this.space(ns).keys()].sort();
  }
}
