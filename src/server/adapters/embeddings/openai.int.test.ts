import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { hashedBagOfWords } from "../../../../tests/fakes/embedder";
import { startOpenAIFake, type OpenAIFake } from "../../../../tests/fakes/openai";
import { createEmbedder, createSummarizer } from "./index";

const KEY = "sk-test-embeddings";
const fastRetry = { retry: { baseDelayMs: 5, maxDelayMs: 2_000 } };

describe("OpenAI-compatible embedder and summarizer (against a local fake)", () => {
  let fake: OpenAIFake;
  const env = (extra: Record<string, string> = {}) => parseEnv({ NODE_ENV: "test", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.baseUrl, ...extra });

  beforeAll(async () => {
    fake = await startOpenAIFake({ apiKey: KEY, dimensions: 96 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.bodies.length = 0;
    fake.failures.length = 0;
    fake.requests.length = 0;
    fake.refuseMaxTokens = false;
    fake.delayMs = 0;
  });

  it("is off without OPENAI_API_KEY", () => {
    expect(createEmbedder(parseEnv({ NODE_ENV: "test" }))).toBeNull();
    expect(createSummarizer(parseEnv({ NODE_ENV: "test" }))).toBeNull();
  });

  it("sends encoding_format float and the configured model to OPENAI_BASE_URL, and learns the dimensions", async () => {
    const embedder = createEmbedder(env({ OPENAI_EMBEDDING_MODEL: "nomic-embed-text" }), fastRetry)!;
    expect(embedder.dimensions).toBe(0);
    const { vectors, tokens } = await embedder.embed(["parse the config file", "send an email"]);
    expect(fake.requests).toEqual(["POST /v1/embeddings"]);
    expect(fake.bodies[0]!.body).toMatchObject({ model: "nomic-embed-text", encoding_format: "float", input: ["parse the config file", "send an email"] });
    expect(fake.bodies[0]!.body).not.toHaveProperty("dimensions");
    expect(embedder.dimensions).toBe(96);
    expect(vectors[0]).toEqual(hashedBagOfWords("parse the config file", 96));
    expect(tokens).toBe(Math.ceil(21 / 4) + Math.ceil(13 / 4)); // the provider's usage.prompt_tokens
  });

  it("asks for OPENAI_EMBEDDING_DIMENSIONS when set", async () => {
    const embedder = createEmbedder(env({ OPENAI_EMBEDDING_DIMENSIONS: "32" }), fastRetry)!;
    expect(embedder.model).toBe("text-embedding-3-small");
    expect(embedder.dimensions).toBe(32);
    const { vectors } = await embedder.embed(["hello world"]);
    expect(fake.bodies[0]!.body.dimensions).toBe(32);
    expect(vectors[0]).toHaveLength(32);
  });

  it("splits 5,000 inputs into at least 3 requests within the provider's limits, vectors in input order", async () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `export function handler${i}(request) { return route${i % 7}(request); }`);
    const embedder = createEmbedder(env(), fastRetry)!;
    const { vectors, tokens } = await embedder.embed(texts);
    const sizes = fake.bodies.map((b) => (b.body.input as string[]).length);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2048);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(vectors).toHaveLength(5000);
    for (const i of [0, 2047, 2048, 4999]) expect(vectors[i]).toEqual(hashedBagOfWords(texts[i]!, 96));
    expect(tokens).toBe(texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0));
  });

  it("keeps big inputs within the per-request token budget and truncates over-long inputs (the fake refuses otherwise)", async () => {
    const texts = Array.from({ length: 60 }, (_, i) => `chunk ${i} ` + "token ".repeat(8_000)); // ~48 KB each, over 8,191 tokens
    const { vectors } = await createEmbedder(env(), fastRetry)!.embed(texts);
    expect(vectors).toHaveLength(60);
    expect(fake.bodies.length).toBeGreaterThanOrEqual(2);
    for (const b of fake.bodies) for (const input of b.body.input as string[]) expect(input.length).toBeLessThanOrEqual(8191 * 3);
  });

  it("retries a 429, waiting what Retry-After says, then succeeds", async () => {
    fake.failures.push({ status: 429, retryAfter: "1" });
    const started = Date.now();
    const { vectors } = await createEmbedder(env(), fastRetry)!.embed(["retry me"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(vectors).toHaveLength(1);
    expect(fake.requests).toEqual(["POST /v1/embeddings", "POST /v1/embeddings"]);
  });

  it("retries 5xx with backoff, then succeeds", async () => {
    fake.failures.push({ status: 500 }, { status: 503 });
    const { vectors } = await createEmbedder(env(), fastRetry)!.embed(["flaky server"]);
    expect(vectors).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
  });

  it("retries a refused connection, then succeeds", async () => {
    await fake.stop();
    const embedder = createEmbedder(env(), { retry: { baseDelayMs: 200, maxDelayMs: 400, maxRetries: 8 } })!;
    const pending = embedder.embed(["server comes back"]);
    setTimeout(() => void fake.restart(), 300);
    expect((await pending).vectors).toHaveLength(1);
  });

  it("abandons an attempt that hangs past its deadline and retries it", async () => {
    fake.delayMs = 1_000;
    const retries: Array<number | null> = [];
    const embedder = createEmbedder(env(), {
      retry: {
        attemptTimeoutMs: 200,
        baseDelayMs: 5,
        onRetry: (r) => {
          retries.push(r.status);
          fake.delayMs = 0;
        },
      },
    })!;
    expect((await embedder.embed(["slow then fast"])).vectors).toHaveLength(1);
    expect(retries).toEqual([null]);
  });

  it("does not retry a 400 and surfaces the provider's message", async () => {
    fake.failures.push({ status: 400, message: "'input' is invalid" });
    await expect(createEmbedder(env(), fastRetry)!.embed(["bad"])).rejects.toThrow(/'input' is invalid/);
    expect(fake.requests).toEqual(["POST /v1/embeddings"]);
  });

  it("gives up after the configured retries", async () => {
    fake.failures.push(...Array.from({ length: 5 }, () => ({ status: 500 })));
    await expect(createEmbedder(env(), { retry: { baseDelayMs: 1, maxRetries: 2 } })!.embed(["down"])).rejects.toThrow(/500/);
    expect(fake.requests).toHaveLength(3);
  });

  it("summarizes with the chat model, falling back to max_completion_tokens when the model refuses max_tokens", async () => {
    const summarizer = createSummarizer(env({ OPENAI_CHAT_MODEL: "gpt-test" }), fastRetry)!;
    const summary = await summarizer.summarize({ path: "src/billing/invoice.ts", kind: "file", text: "export function createInvoice() { chargeCustomer(); chargeCustomer(); }" });
    expect(summary).toBe("Summary of file src/billing/invoice.ts: mentions chargeCustomer, createInvoice, export, function.");
    expect(fake.bodies[0]!.body).toMatchObject({ model: "gpt-test", max_tokens: 300 });

    fake.refuseMaxTokens = true;
    fake.bodies.length = 0;
    await summarizer.summarize({ path: "src", kind: "folder", text: "billing invoices" });
    expect(fake.bodies.map((b) => Object.keys(b.body).filter((k) => k.startsWith("max")))).toEqual([["max_tokens"], ["max_completion_tokens"]]);
  });
});
