/**
 * Splitting an embeddings call within the provider's limits. OpenAI's `/v1/embeddings` takes at most
 * 2,048 inputs and 300,000 tokens per request, and 8,191 tokens per input. We have no tokenizer for
 * every model behind an OpenAI-compatible URL, so tokens are estimated from characters — at 3 per
 * token rather than the usual 4, because code (punctuation, identifiers) tokenizes densely and an
 * over-long request is refused whole.
 */
export interface EmbeddingLimits {
  maxInputsPerRequest: number;
  maxTokensPerRequest: number;
  maxTokensPerInput: number;
}

export const OPENAI_LIMITS: EmbeddingLimits = { maxInputsPerRequest: 2048, maxTokensPerRequest: 300_000, maxTokensPerInput: 8191 };

const CHARS_PER_TOKEN = 3;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The text cut to what fits one input (never splitting a surrogate pair); empty text becomes one space, which providers accept. */
export function truncateForEmbedding(text: string, maxTokens: number): string {
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  if (text.length === 0) return " ";
  if (text.length <= maxChars) return text;
  const cut = text.charCodeAt(maxChars - 1) >= 0xd800 && text.charCodeAt(maxChars - 1) <= 0xdbff ? maxChars - 1 : maxChars;
  return text.slice(0, cut);
}

/** Consecutive [start, end) ranges of `texts`, each within the input and token budgets of one request. */
export function planBatches(texts: string[], limits: EmbeddingLimits): Array<[number, number]> {
  const batches: Array<[number, number]> = [];
  let start = 0;
  let tokens = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = estimateTokens(texts[i]!);
    const full = i - start >= limits.maxInputsPerRequest || (i > start && tokens + t > limits.maxTokensPerRequest);
    if (full) {
      batches.push([start, i]);
      start = i;
      tokens = 0;
    }
    tokens += t;
  }
  if (start < texts.length) batches.push([start, texts.length]);
  return batches;
}
