import type { AnyProcedure } from "@trpc/server";
import { getInputOutputParsers, instanceofZodTypeKind, instanceofZodTypeLikeVoid, instanceofZodTypeObject, instanceofZodTypeOptional, unwrapZodType } from "trpc-to-openapi";
import { ZodArray, type ZodObject, type ZodRawShape, type ZodType } from "zod";
import { AppError } from "@/server/core/errors";
import { booleanParam, numberFromText } from "@/server/core/params";
import type { Context } from "@/server/trpc/context";
import type { Meta } from "@/server/trpc/init";
import { appRouter } from "./root";

/** Every procedure GPT and MCP clients may call: those with OpenAPI meta, read off the one router. */
export interface Operation {
  procedurePath: string;
  type: "query" | "mutation";
  method: string;
  path: string;
  /** Matches the path, with a named group per `{parameter}`. */
  pattern: RegExp;
  protect: boolean;
  meta: Meta & { openapi: NonNullable<Meta["openapi"]> };
  procedure: AnyProcedure;
  /** How REST carries its input (see restInput): none (void), or an object whose array, number and boolean fields are listed. */
  input: { kind: "void" } | { kind: "object" | "other"; arrayFields: ReadonlySet<string>; fromText: ReadonlyMap<string, TextKind> };
}

function patternOf(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "(?<$1>[^/]+)");
  return new RegExp(`^${escaped}/?$`);
}

type TextKind = "number" | "boolean";

/** Whether a field wants a number or a boolean, looking through optional/default/nullable and a boolean-or-text union. */
function textKindOf(field: ZodType): TextKind | undefined {
  const inner = unwrapZodType(field, false) as ZodType;
  if (instanceofZodTypeKind(inner, "number")) return "number";
  if (instanceofZodTypeKind(inner, "boolean")) return "boolean";
  const options = instanceofZodTypeKind(inner, "union") ? ((inner as unknown as { options: ZodType[] }).options ?? []) : [];
  return options.some((o) => instanceofZodTypeKind(o, "boolean")) ? "boolean" : undefined;
}

/**
 * What REST needs to know of a procedure's input, computed once. Query strings are strings: the
 * number and boolean fields are noted so restInput converts their text (the procedure's own schema
 * is never changed: it is shared with tRPC and MCP, where "false" must stay a refused string), and
 * array fields accept a single value.
 */
function inputShapeOf(procedure: AnyProcedure): Operation["input"] {
  const { inputParser } = getInputOutputParsers(procedure as never);
  const schema = unwrapZodType(inputParser as ZodType, true);
  if (instanceofZodTypeLikeVoid(schema)) return { kind: "void" };
  if (!instanceofZodTypeObject(schema)) return { kind: "other", arrayFields: new Set(), fromText: new Map() };
  const object = schema as unknown as ZodObject<ZodRawShape>;
  const arrayFields = Object.entries(object.shape)
    .filter(([, field]) => field instanceof ZodArray || (instanceofZodTypeOptional(field) && (field as unknown as { unwrap(): unknown }).unwrap() instanceof ZodArray))
    .map(([name]) => name);
  const fromText = new Map<string, TextKind>();
  for (const [name, field] of Object.entries(object.shape)) {
    const kind = textKindOf(field as ZodType);
    if (kind) fromText.set(name, kind);
  }
  return { kind: "object", arrayFields: new Set(arrayFields), fromText };
}

export const operations: Operation[] = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
  .filter(([, p]) => (p._def.meta as Meta | undefined)?.openapi?.enabled !== false && (p._def.meta as Meta | undefined)?.openapi)
  .map(([procedurePath, procedure]) => {
    const meta = procedure._def.meta as Operation["meta"];
    return {
      procedurePath,
      type: procedure._def.type as Operation["type"],
      method: meta.openapi.method,
      path: meta.openapi.path,
      pattern: patternOf(meta.openapi.path),
      protect: meta.openapi.protect !== false,
      meta,
      procedure,
      input: inputShapeOf(procedure),
    };
  });

/** What an operation does, as clients are told: read-only, destructive, idempotent (from its meta; queries read). */
export interface Effect {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
}

export function effectOf(op: Pick<Operation, "type" | "meta">): Effect {
  const said = op.meta.effect ?? {};
  const readOnly = said.readOnly ?? op.type === "query";
  // Unsaid, a change is assumed to overwrite or remove (MCP's own default): a client then asks first.
  return { readOnly, destructive: !readOnly && (said.destructive ?? true), idempotent: readOnly || (said.idempotent ?? false) };
}

/** The operation for a method and path with its path parameters, or why there is none (404 vs 405 with the allowed methods). */
export function matchOperation(method: string, path: string): { op: Operation; params: Record<string, string> } | { allowed: string[] } {
  const onPath = operations.filter((o) => o.pattern.test(path));
  const op = onPath.find((o) => o.method === method) ?? (method === "HEAD" ? onPath.find((o) => o.method === "GET") : undefined);
  if (!op) return { allowed: [...new Set(onPath.map((o) => o.method))] };
  const params: Record<string, string> = {};
  for (const [name, raw] of Object.entries(op.pattern.exec(path)?.groups ?? {})) {
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      throw new AppError("BAD_REQUEST", `Path parameter ${name} is not valid percent-encoding.`);
    }
  }
  return { op, params };
}

/**
 * A REST request's input, by the rules the OpenAPI document describes (trpc-to-openapi's): GET and
 * DELETE read the query string (a repeated key is an array), the other methods a JSON body; path
 * parameters are merged over either.
 */
export function restInput(op: Operation, req: { method: string; query: URLSearchParams; body: unknown; params: Record<string, string> }): unknown {
  if (op.input.kind === "void") return undefined;
  const fromQuery = req.method === "GET" || req.method === "DELETE" || req.method === "HEAD";
  return { ...(fromQuery ? queryInput(req.query, op.input) : (req.body as object)), ...req.params };
}

/** Text a field wants as a number or boolean, converted; text that is neither stays text, for the schema to refuse with 400. */
function fromText(kind: TextKind | undefined, text: string): unknown {
  if (kind === "number") return numberFromText(text);
  if (kind === "boolean") {
    const parsed = booleanParam.safeParse(text);
    return parsed.success ? parsed.data : text;
  }
  return text;
}

function queryInput(query: URLSearchParams, shape: Exclude<Operation["input"], { kind: "void" }>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name).map((v) => fromText(shape.fromText.get(name), v));
    input[name] = values.length === 1 && !shape.arrayFields.has(name) ? values[0]! : values;
  }
  return input;
}

/**
 * Calls an operation's procedure as the context's actor: the same middleware chain (auth, rate limit, audit) on every
 * surface. What `createCaller` does for one path, without building its proxy and looking the path up on every call.
 */
export function callOperation(op: Operation, ctx: Context, input: unknown): Promise<unknown> {
  return op.procedure({ ctx, path: op.procedurePath, type: op.type, getRawInput: async () => input, signal: undefined, batchIndex: 0 });
}
