import OpenAI from "openai";
import { retryingFetch, type RetryPolicy } from "../retrying-fetch";
import { estimateTokens, OPENAI_LIMITS, planBatches, truncateForEmbedding, type EmbeddingLimits } from "./batching";
import type { Embedder, Summarizer } from "./types";

/** Embeddings and summaries through any OpenAI-compatible server (OpenAI, Azure-style proxies, Ollama, vLLM). */
export interface OpenAIConfig {
  apiKey: string;
  /** e.g. http://127.0.0.1:11434/v1 for Ollama; unset, OpenAI itself. */
  baseURL?: string;
  embeddingModel?: string;
  /** Ask for vectors of this size (text-embedding-3 models can shorten them); unset, learned from the first answer. */
  dimensions?: number;
  chatModel?: string;
  limits?: Partial<EmbeddingLimits>;
  /** Requests in flight at once during one `embed` call (default 4). */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Deadline of one `embed` request including its retries, in ms (default 600,000; each attempt: retry.attemptTimeoutMs). */
  timeoutMs?: number;
}

export const DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
export const DEFAULT_CHAT_MODEL = "gpt-4o-mini";

export function openAIClient(cfg: OpenAIConfig): OpenAI {
  return new OpenAI({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseURL,
    maxRetries: 0, // retryingFetch retries (capped Retry-After, jitter); the SDK's own would multiply attempts
    timeout: cfg.timeoutMs ?? 600_000,
    fetch: retryingFetch(cfg.retry),
  });
}

export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  private dims: number;
  private readonly client: OpenAI;
  private readonly limits: EmbeddingLimits;
  private readonly concurrency: number;
  private readonly requestedDimensions: number | undefined;

  constructor(cfg: OpenAIConfig, client: OpenAI = openAIClient(cfg)) {
    this.client = client;
    this.model = cfg.embeddingModel ?? DEFAULT_EMBEDDING_MODEL;
    this.requestedDimensions = cfg.dimensions;
    this.dims = cfg.dimensions ?? 0;
    this.limits = { ...OPENAI_LIMITS, ...cfg.limits };
    this.concurrency = Math.max(1, cfg.concurrency ?? 4);
  }

  /** The vector size: the configured one, else what the provider answered first (0 before any call). */
  get dimensions(): number {
    return this.dims;
  }

  async embed(texts: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    if (texts.length === 0) return { vectors: [], tokens: 0 };
    const inputs = texts.map((t) => truncateForEmbedding(t, this.limits.maxTokensPerInput));
    const batches = planBatches(inputs, this.limits);
    const vectors: number[][] = new Array<number[]>(inputs.length);
    let tokens = 0;
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < batches.length && !failed) {
        const [start, end] = batches[next++]!;
        const out = await this.request(inputs.slice(start, end)).catch((err: unknown) => {
          failed = true; // the other workers stop taking batches; the first error is what the caller sees
          throw err;
        });
        out.vectors.forEach((v, i) => (vectors[start + i] = v));
        tokens += out.tokens;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, worker));
    return { vectors, tokens };
  }

  private async request(input: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    const res = await this.client.embeddings.create({
      model: this.model,
      input,
      encoding_format: "float",
      ...(this.requestedDimensions ? { dimensions: this.requestedDimensions } : {}),
    });
    if (res.data.length !== input.length) {
      throw new Error(`embeddings: asked for ${input.length} vectors, ${this.model} answered ${res.data.length}`);
    }
    const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    for (const v of vectors) this.checkDimensions(v);
    return { vectors, tokens: res.usage?.prompt_tokens ?? input.reduce((n, t) => n + estimateTokens(t), 0) };
  }

  private checkDimensions(v: unknown) {
    if (!Array.isArray(v) || v.length === 0 || typeof v[0] !== "number") {
      throw new Error(`embeddings: ${this.model} did not answer float vectors (does the server support encoding_format "float"?)`);
    }
    if (this.dims === 0) this.dims = v.length;
    if (v.length !== this.dims) throw new Error(`embeddings: ${this.model} answered a ${v.length}-dimension vector, expected ${this.dims}`);
  }
}

const SUMMARY_INPUT_CHARS = 24_000;
const SUMMARY_PROMPT =
  "You summarize source code for a code search index. In at most 3 sentences say what this file or folder is for, " +
  "its main exported symbols and what it depends on. Plain text, no preamble, no code.";

export class OpenAISummarizer implements Summarizer {
  private readonly model: string;
  private readonly client: OpenAI;
  private tokenParam: "max_tokens" | "max_completion_tokens" = "max_tokens";

  constructor(cfg: OpenAIConfig, client: OpenAI = openAIClient(cfg)) {
    this.client = client;
    this.model = cfg.chatModel ?? DEFAULT_CHAT_MODEL;
  }

  async summarize(input: { path: string; kind: "file" | "folder"; text: string }): Promise<string> {
    const messages = [
      { role: "system" as const, content: SUMMARY_PROMPT },
      { role: "user" as const, content: `${input.kind} ${input.path}\n\n${input.text.slice(0, SUMMARY_INPUT_CHARS)}` },
    ];
    try {
      return await this.complete(messages);
    } catch (err) {
      // Newer models refuse the older `max_tokens`; Ollama and most compatible servers only know it.
      if (err instanceof OpenAI.BadRequestError && this.tokenParam === "max_tokens" && /max_tokens/.test(err.message)) {
        this.tokenParam = "max_completion_tokens";
        return this.complete(messages);
      }
      throw err;
    }
  }

  private async complete(messages: OpenAI.Chat.ChatCompletionMessageParam[]): Promise<string> {
    const res = await this.client.chat.completions.create({ model: this.model, messages, [this.tokenParam]: 300 });
    return (res.choices[0]?.message?.content ?? "").trim();
  }
}
