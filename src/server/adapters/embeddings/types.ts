/** Turns texts into vectors (an OpenAI-compatible `/v1/embeddings`), only when configured. */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, in order; batches and retries inside. `tokens` is what the provider billed. */
  embed(texts: string[]): Promise<{ vectors: number[][]; tokens: number }>;
}

/** Writes a short summary of a file or folder with the configured chat model, when there is one. */
export interface Summarizer {
  summarize(input: { path: string; kind: "file" | "folder"; text: string }): Promise<string>;
}
