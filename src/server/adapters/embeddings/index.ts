import type { Env } from "@/env";
import { OpenAIEmbedder, OpenAISummarizer, type OpenAIConfig } from "./openai";
import type { Embedder, Summarizer } from "./types";

export type { Embedder, Summarizer } from "./types";
export { DEFAULT_CHAT_MODEL, DEFAULT_EMBEDDING_MODEL } from "./openai";

type EmbeddingEnv = Pick<Env, "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_EMBEDDING_MODEL" | "OPENAI_EMBEDDING_DIMENSIONS" | "OPENAI_CHAT_MODEL">;

function openAIConfig(e: EmbeddingEnv, overrides: Partial<OpenAIConfig>): OpenAIConfig | null {
  if (!e.OPENAI_API_KEY) return null;
  return {
    apiKey: e.OPENAI_API_KEY,
    baseURL: e.OPENAI_BASE_URL,
    embeddingModel: e.OPENAI_EMBEDDING_MODEL,
    dimensions: e.OPENAI_EMBEDDING_DIMENSIONS,
    chatModel: e.OPENAI_CHAT_MODEL,
    ...overrides,
  };
}

/** The embedder when OPENAI_API_KEY is set (OPENAI_BASE_URL for Ollama and other compatible servers), else null. */
export function createEmbedder(e: EmbeddingEnv, overrides: Partial<OpenAIConfig> = {}): Embedder | null {
  const cfg = openAIConfig(e, overrides);
  return cfg ? new OpenAIEmbedder(cfg) : null;
}

/** The chat summarizer when OPENAI_API_KEY is set, else null (the indexer then summarizes extractively). */
export function createSummarizer(e: EmbeddingEnv, overrides: Partial<OpenAIConfig> = {}): Summarizer | null {
  const cfg = openAIConfig(e, overrides);
  return cfg ? new OpenAISummarizer(cfg) : null;
}
