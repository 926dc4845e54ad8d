/**
 * One table from error code to tRPC code and HTTP status, used by the tRPC error formatter, the
 * REST handler and MCP alike. 4xx and 503 messages reach the caller; an internal error
 * becomes a generic message with the request id, the detail goes to the log.
 */
export const ERROR_TABLE = {
  BAD_REQUEST: { status: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { status: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND" },
  METHOD_NOT_ALLOWED: { status: 405, trpc: "METHOD_NOT_SUPPORTED" },
  CONFLICT: { status: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  UNPROCESSABLE: { status: 422, trpc: "UNPROCESSABLE_CONTENT" },
  RATE_LIMITED: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  INTERNAL: { status: 500, trpc: "INTERNAL_SERVER_ERROR" },
  UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE" },
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;
export type TrpcCode = (typeof ERROR_TABLE)[ErrorCode]["trpc"];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers (Retry-After, Allow, …). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return ERROR_TABLE[this.code].status;
  }
}

const byTrpc = new Map<string, ErrorCode>((Object.entries(ERROR_TABLE) as [ErrorCode, (typeof ERROR_TABLE)[ErrorCode]][]).map(([code, v]) => [v.trpc, code]));
byTrpc.set("PARSE_ERROR", "BAD_REQUEST");
byTrpc.set("PRECONDITION_FAILED", "CONFLICT");
byTrpc.set("TIMEOUT", "UNAVAILABLE");

export function codeFromTrpc(trpcCode: string): ErrorCode {
  return byTrpc.get(trpcCode) ?? "INTERNAL";
}

export function statusOf(code: ErrorCode): number {
  return ERROR_TABLE[code].status;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

/**
 * The body a caller gets. An internal error's message and details never leave (they go to the log);
 * a 503's message was written for the caller ("set GITHUB_WEBHOOK_SECRET …", "GitHub refused the
 * token …") and is kept, so they can act on it.
 */
export function errorBody(code: ErrorCode, message: string, requestId: string, details?: unknown): ErrorBody {
  const internal = code === "INTERNAL";
  return { error: { code, message: publicMessage(code, message, requestId), requestId, ...(details !== undefined && !internal ? { details } : {}) } };
}

/** The message a caller may see: its own, or for an internal error the request id to quote. */
export function publicMessage(code: ErrorCode, message: string, requestId: string): string {
  return code === "INTERNAL" ? `Internal error; quote request id ${requestId} when reporting it.` : message;
}
