import { hashedBagOfWords } from "./embedder";
import { bearerOf, sendJson, startFake, type FakeServer } from "./http";

/**
 * A local OpenAI-compatible server (what OpenAI, Ollama and vLLM answer at `/v1`), with OpenAI's
 * documented limits: at most 2,048 inputs and 300,000 tokens per embeddings request, 8,192 tokens
 * per input (tokens counted here as ⌈chars / 4⌉), each refused with 400 as OpenAI does.
 *   POST /v1/embeddings        → deterministic hashed-bag-of-words vectors (similar texts are close)
 *   POST /v1/chat/completions  → a short summary naming the path and the words it saw most, or the
 *                                next of `chatReplies` when the test scripted one (e.g. a JSON answer)
 *   GET  /v1/models
 * Scripted failures: push onto `failures` (429 with Retry-After, 500, 400…) and the next requests
 * answer them in order; `delayMs` slows every answer.
 */
export interface ScriptedFailure {
  status: number;
  retryAfter?: string;
  message?: string;
}

export interface OpenAIFake extends FakeServer {
  baseUrl: string;
  /** Vector size when the request does not ask for `dimensions`. */
  dimensions: number;
  delayMs: number;
  failures: ScriptedFailure[];
  /** Parsed bodies of the POSTs, in order. */
  bodies: Array<{ path: string; body: Record<string, unknown> }>;
  /** Like newer OpenAI models: refuse `max_tokens` on chat completions (they want `max_completion_tokens`). */
  refuseMaxTokens: boolean;
  /** Assistant contents the next chat completions answer with, in order. */
  chatReplies: string[];
}

const MAX_INPUTS = 2048;
const MAX_REQUEST_TOKENS = 300_000;
const MAX_INPUT_TOKENS = 8192;
const tokensOf = (s: string) => Math.ceil(s.length / 4);
const invalid = (message: string) => ({ error: { message, type: "invalid_request_error", param: null, code: null } });

function floatsToBase64(v: number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString("base64");
}

export async function startOpenAIFake(cfg: { apiKey: string; dimensions?: number }): Promise<OpenAIFake> {
  const fake = (await startFake(async (req, res, raw, url) => {
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (bearerOf(req) !== cfg.apiKey) return sendJson(res, 401, { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } });
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: ["gpt-4o-mini", "text-embedding-3-small"].map((id) => ({ id, object: "model", created: 1715367049, owned_by: "system" })) });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, invalid("We could not parse the JSON body of your request."));
    }
    fake.bodies.push({ path: url.pathname, body });
    const failure = fake.failures.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfter !== undefined ? { "retry-after": failure.retryAfter } : {};
      const type = failure.status === 429 ? "requests" : failure.status >= 500 ? "server_error" : "invalid_request_error";
      return sendJson(res, failure.status, { error: { message: failure.message ?? `scripted ${failure.status}`, type, param: null, code: null } }, headers);
    }
    if (req.method === "POST" && url.pathname === "/v1/embeddings") return embeddings(body, res);
    if (req.method === "POST" && url.pathname === "/v1/chat/completions") return chat(body, res);
    return sendJson(res, 404, invalid(`Invalid URL (${req.method} ${url.pathname})`));
  })) as OpenAIFake;

  function embeddings(body: Record<string, unknown>, res: Parameters<typeof sendJson>[0]) {
    const input = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || !input.every((s) => typeof s === "string")) {
      return sendJson(res, 400, invalid("'input' : input must be a string or a non-empty array of strings"));
    }
    if (input.length > MAX_INPUTS) return sendJson(res, 400, invalid(`'input' : maximum ${MAX_INPUTS} inputs per request, got ${input.length}`));
    const perInput = input.map(tokensOf);
    const longest = Math.max(...perInput);
    if (longest > MAX_INPUT_TOKENS) {
      return sendJson(res, 400, invalid(`This model's maximum context length is ${MAX_INPUT_TOKENS} tokens, however you requested ${longest} tokens in your input.`));
    }
    const total = perInput.reduce((a, b) => a + b, 0);
    if (total > MAX_REQUEST_TOKENS) return sendJson(res, 400, invalid(`Requested ${total} tokens, max ${MAX_REQUEST_TOKENS} tokens per request`));
    const dims = typeof body.dimensions === "number" ? body.dimensions : fake.dimensions;
    const base64 = body.encoding_format === "base64";
    return sendJson(res, 200, {
      object: "list",
      model: body.model,
      data: input.map((text, index) => {
        const v = hashedBagOfWords(text, dims);
        return { object: "embedding", index, embedding: base64 ? floatsToBase64(v) : v };
      }),
      usage: { prompt_tokens: total, total_tokens: total },
    });
  }

  function chat(body: Record<string, unknown>, res: Parameters<typeof sendJson>[0]) {
    if (fake.refuseMaxTokens && body.max_tokens !== undefined) {
      return sendJson(res, 400, invalid("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."));
    }
    const messages = Array.isArray(body.messages) ? (body.messages as Array<{ role: string; content: string }>) : [];
    const user = messages
      .filter((m) => m.role === "user")
      .map((m) => m.content)
      .join("\n");
    const [head = "", ...rest] = user.split("\n");
    const counts = new Map<string, number>();
    for (const w of rest.join(" ").match(/[A-Za-z_][A-Za-z0-9_]{3,}/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
    const top = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([w]) => w);
    const content = fake.chatReplies.shift() ?? `Summary of ${head.trim()}: mentions ${top.join(", ") || "nothing"}.`;
    const prompt = tokensOf(JSON.stringify(messages));
    return sendJson(res, 200, {
      id: `chatcmpl-${fake.bodies.length}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: prompt, completion_tokens: tokensOf(content), total_tokens: prompt + tokensOf(content) },
    });
  }

  Object.assign(fake, { baseUrl: `${fake.url}/v1`, dimensions: cfg.dimensions ?? 256, delayMs: 0, failures: [], bodies: [], refuseMaxTokens: false, chatReplies: [] });
  return fake;
}
