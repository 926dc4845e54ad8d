import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { Permission } from "@/server/core/auth/permissions";
import { ZodError, z } from "zod";
import type { ResourceType } from "@/server/core/audit/log";
import type { OperationKind } from "@/server/core/auth/permissions";
import { AppError, codeFromTrpc, ERROR_TABLE, publicMessage, type ErrorCode } from "@/server/core/errors";
import type { Context } from "./context";

export type Meta = OpenApiMeta<{
  /** Rate-limit bucket; queries default to read, mutations to write. */
  kind?: OperationKind;
  /** Resource type for the audit entry of a call. */
  resource?: ResourceType;
  /** "service": the service writes its own audit entry in its transaction, so a success is not logged twice. */
  audit?: "service";
  /**
   * What the operation does to the world, as clients are told (MCP tool hints, GPT's
   * x-openai-isConsequential). Queries are read-only; a mutation says when it only reads (a check),
   * and whether it overwrites or removes (destructive) and whether repeating it changes nothing more (idempotent).
   */
  effect?: { readOnly?: boolean; destructive?: boolean; idempotent?: boolean };
  /** Who may call, set by the procedure builder (procedures.ts): read by the OpenAPI document and the API reference. */
  access?: { permission?: Permission; humanOnly?: boolean };
}>;

export interface ErrorData {
  appCode: ErrorCode;
  message?: string;
  requestId: string;
  details?: unknown;
}

/** The AppError behind a tRPC error: thrown by a service, or derived from tRPC's own code. */
export function appErrorOf(error: TRPCError): AppError {
  if (error.cause instanceof AppError) return error.cause;
  if (error.cause instanceof ZodError) {
    return new AppError("BAD_REQUEST", "Invalid input: " + error.cause.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "), z.treeifyError(error.cause));
  }
  return new AppError(codeFromTrpc(error.code), error.message);
}

/** The AppError a surface answers with; an internal failure is logged first with the request id (its message never leaves, errorBody). */
export function reportedAppError(error: TRPCError, requestId: string): AppError {
  const app = appErrorOf(error);
  if (app.status >= 500) console.error(`[${requestId}]`, error.cause ?? error);
  return app;
}

export const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const requestId = ctx?.requestId ?? "unknown";
      const app = reportedAppError(error, requestId);
      const data: ErrorData = { appCode: app.code, requestId, ...(app.details !== undefined ? { details: app.details } : {}) };
      const message = publicMessage(app.code, app.message, requestId);
      return { ...shape, message, data: { ...data, message, stack: undefined } };
    },
  });

/** Services throw AppError; turn it into the TRPCError of the right code, keeping it as the cause. */
export function toTrpcError(err: AppError): TRPCError {
  return new TRPCError({ code: ERROR_TABLE[err.code].trpc, message: err.message, cause: err });
}
