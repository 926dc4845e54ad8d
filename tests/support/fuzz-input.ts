import fc from "fast-check";
import { z } from "zod";
import type { AnyProcedure } from "@trpc/server";
import { appRouter } from "@/server/api/root";
import { operations, type Operation } from "@/server/api/operations";
import type { JsonSchema as Schema } from "@/server/api/json-schema";
import { hostileString } from "./hostile";

/**
 * Inputs for every procedure, generated from its zod input schema (as JSON Schema): valid ones, ones
 * at and just past each bound, and hostile ones (a field's value replaced by hostile text or a wrong
 * type). The procedure list is read off the router, so a new operation is fuzzed without a change here.
 */

export type Mode = "valid" | "boundary" | "hostile";

/** One procedure as the fuzz sees it: where it can be called, and its input schema. */
export interface Target {
  path: string;
  type: "query" | "mutation";
  /** The REST/MCP operation, when the procedure has one. */
  op?: Operation;
  schema: Schema | null;
}

export function targets(): Target[] {
  const byPath = new Map(operations.map((o) => [o.procedurePath, o]));
  return Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
    .filter(([, p]) => p._def.type !== "subscription")
    .map(([path, p]) => {
      const input = p._def.inputs[0] as z.ZodType | undefined;
      const schema = input ? (z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as Schema) : null;
      return { path, type: p._def.type as Target["type"], op: byPath.get(path), schema };
    });
}

const MAX_STRING = 60;

function resolve(s: Schema, root: Schema): Schema {
  if (s.$ref?.startsWith("#/$defs/")) return root.$defs?.[s.$ref.slice("#/$defs/".length)] ?? {};
  if (s.allOf?.length === 1) return resolve(s.allOf[0]!, root);
  return s;
}

function stringArb(s: Schema, mode: Mode): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? MAX_STRING;
  if (mode === "boundary") {
    const edges = [min > 0 ? "x".repeat(min - 1) : "", "x".repeat(min), "x".repeat(Math.min(max, 10_000)), "x".repeat(Math.min(max + 1, 10_001))];
    return fc.constantFrom(...edges);
  }
  if (s.format === "uuid") return fc.uuid();
  if (s.format === "date-time") return fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === "email") return fc.emailAddress();
  if (s.pattern) {
    try {
      const matching = fc.stringMatching(new RegExp(s.pattern));
      // the pattern usually bounds the length itself; a schema bound of its own filters (it must leave some matches)
      return s.minLength === undefined && s.maxLength === undefined ? matching : matching.filter((v) => v.length >= min && v.length <= max);
    } catch {
      return fc.string({ minLength: min, maxLength: Math.min(max, MAX_STRING) });
    }
  }
  return fc.string({ minLength: min, maxLength: Math.min(max, MAX_STRING) });
}

function numberArb(s: Schema, integer: boolean, mode: Mode): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
  if (mode === "boundary") return fc.constantFrom(min, max, min - 1, max + 1, 0, -0, 2 ** 53, 1.5);
  return integer ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** A value for a schema. In hostile mode each field is, sometimes, hostile text or a value of the wrong type. */
export function valueArb(schema: Schema, mode: Mode, root: Schema = schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, root);
  const plain = plainArb(s, mode, root, depth);
  if (mode !== "hostile") return plain;
  return fc.oneof({ weight: 3, arbitrary: plain }, { weight: 1, arbitrary: hostileValue() });
}

function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(hostileString({ maxLength: 200 }), fc.constantFrom(null, -1, 1e308, true, [], {}, ["\ud800"], { __proto__: null }), fc.jsonValue({ maxDepth: 2 }));
}

function plainArb(s: Schema, mode: Mode, root: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => valueArb(a, mode, root, depth)));
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => plainArb({ ...s, type }, mode, root, depth)));
  switch (types[0]) {
    case "string":
      return stringArb(s, mode);
    case "integer":
      return numberArb(s, true, mode);
    case "number":
      return numberArb(s, false, mode);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      if (depth > 4) return fc.constant([]);
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 4, mode === "boundary" ? (s.maxItems ?? 4) : 4));
      return fc.array(valueArb(s.items ?? {}, mode, root, depth + 1), { minLength, maxLength: Math.min(maxLength, 200) });
    }
    case "object": {
      if (depth > 4 || !s.properties) return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const record = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, valueArb(v, mode, root, depth + 1)]));
      const requiredKeys = (s.required ?? []).filter((k) => k in record);
      return fc.record(record, { requiredKeys });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Inputs for a target: mostly shaped by its schema (valid, boundary, hostile), some not shaped at all. */
export function inputArb(t: Target): fc.Arbitrary<{ mode: Mode | "raw"; input: unknown }> {
  if (!t.schema)
    return fc.oneof(
      fc.constant({ mode: "valid" as const, input: undefined }),
      hostileValue().map((input) => ({ mode: "raw" as const, input })),
    );
  const shaped = (mode: Mode) => valueArb(t.schema!, mode).map((input) => ({ mode, input }));
  return fc.oneof(
    { weight: 4, arbitrary: shaped("valid") },
    { weight: 2, arbitrary: shaped("boundary") },
    { weight: 3, arbitrary: shaped("hostile") },
    { weight: 1, arbitrary: hostileValue().map((input) => ({ mode: "raw" as const, input })) },
  );
}

/** Every string of a value replaced by `text` (keys too, when `keys`): one hostile string through every field. */
export function withEveryString(value: unknown, text: string): unknown {
  if (typeof value === "string") return text;
  if (Array.isArray(value)) return value.map((v) => withEveryString(v, text));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEveryString(v, text)]));
  return value;
}

/** The first string of a value (depth first) replaced by `text`; the value itself when it holds none. */
export function withFirstString(value: unknown, text: string): unknown {
  let done = false;
  const walk = (v: unknown): unknown => {
    if (done) return v;
    if (typeof v === "string") {
      done = true;
      return text;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
