import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { handleRest } from "@/server/api/rest";
import type { Scope } from "@/server/core/auth/permissions";
import type { Deps } from "@/server/deps";

/**
 * REST under /ai/* as a client sees it, in-process, and the error body contract every refusal keeps:
 * for tests that check statuses, headers and bodies of hand-written requests (`surfaces.ts` places an
 * operation's input the way the OpenAPI document says instead).
 */
export interface RestInit {
  method?: string;
  key?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

/** A request to `path` (with its query); POST when there is a body, else GET, unless `method` says. */
export function restRequest(path: string, init: RestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== undefined) headers.set("x-api-key", init.key);
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const method = init.method ?? (body !== undefined ? "POST" : "GET");
  return handleRest(new Request(`http://localhost${path}`, { method, headers, body }));
}

export interface ErrorResult {
  requestId: string;
  body: { error: { code: string; message: string; requestId: string; details?: unknown } };
}

/** The contract's error body, with the request id of the response header and no stack trace. */
export async function expectError(res: Response, status: number, code: string): Promise<ErrorResult> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const requestId = res.headers.get("x-request-id");
  expect(requestId).toBeTruthy();
  const body = JSON.parse(text) as ErrorResult["body"];
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toMatchObject({ code, requestId });
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(body.error).every((k) => ["code", "message", "requestId", "details"].includes(k))).toBe(true);
  expect(text).not.toMatch(/"stack"|\n\s+at \S|\.ts:\d+:\d+/);
  return { requestId: requestId!, body };
}

/** A 200 with a request id; its JSON body. */
export async function expectOk(res: Response): Promise<{ requestId: string; body: Record<string, unknown> }> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const requestId = res.headers.get("x-request-id");
  expect(requestId).toBeTruthy();
  return { requestId: requestId!, body: JSON.parse(text) as Record<string, unknown> };
}

export const uniqueClient = () => `rest-${randomUUID().slice(0, 8)}`;

/** A client that exists already: an API key may add keys to known clients only, never create one. */
export async function knownClient(deps: Deps): Promise<string> {
  const id = uniqueClient();
  await deps.db.apiClient.create({ data: { id, name: id, createdBy: "system:test" } });
  return id;
}

/** An admin key that also holds audit:read, so the keys it mints (audit:read) stay within its own scopes. */
export const ADMIN: Scope[] = ["admin", "audit:read"];
