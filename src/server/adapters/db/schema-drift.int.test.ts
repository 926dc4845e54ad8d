import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDeps, testDeps } from "../../../../tests/support/deps";
import { VECTOR_TABLE } from "@/server/adapters/vectors/pgvector";
import type { Deps } from "@/server/deps";

/**
 * schema.prisma and the hand-written migrations must not drift: every model, column, type and
 * nullability in the schema exists exactly so in the migrated database, and nothing more.
 */
interface Column {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

const SCALARS: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  Float: "double precision",
  Json: "jsonb",
  DateTime: "timestamp(3) without time zone",
};

function expectedColumns(schema: string): Column[] {
  const enums = new Set([...schema.matchAll(/^enum (\w+) \{/gm)].map((m) => m[1]!));
  const models = [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(models.map((m) => m[1]!));
  const out: Column[] = [];
  for (const [, name, body] of models) {
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? name!;
    for (const line of body!.split("\n").map((l) => l.trim())) {
      const m = /^(\w+)\s+(Unsupported\("\w+"\)|\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m || line.startsWith("//") || line.startsWith("@@")) continue;
      const [, field, type, list, optional, attrs] = m as unknown as [string, string, string, string | undefined, string | undefined, string];
      if (modelNames.has(type)) continue; // relation field, no column
      const column = /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? field;
      const db = /@db\.(\w+)(\((\d+)\))?/.exec(attrs);
      let sqlType = enums.has(type) ? `enum ${type}` : (SCALARS[type] ?? /^Unsupported\("(\w+)"\)$/.exec(type)?.[1]);
      if (db?.[1] === "Uuid") sqlType = "uuid";
      if (db?.[1] === "Timestamptz") sqlType = `timestamp(${db[3] ?? 6}) with time zone`;
      if (!sqlType) throw new Error(`schema-drift test does not know type ${type}`);
      out.push({ table, column, type: list ? `${sqlType}[]` : sqlType, nullable: Boolean(optional) || Boolean(list) });
    }
  }
  return out.sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

async function actualColumns(deps: Deps): Promise<Column[]> {
  const rows = await deps.db.$queryRawUnsafe<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string; datetime_precision: number | null }[]>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, datetime_precision
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name NOT IN ('_prisma_migrations', $1)`,
    VECTOR_TABLE, // created at runtime by the pgvector store: its column size follows the embedding model
  );
  const scalar = (r: (typeof rows)[number], udt: string, dataType: string) => {
    if (dataType === "USER-DEFINED") return `enum ${udt}`;
    if (dataType.startsWith("timestamp")) return dataType.replace("timestamp", `timestamp(${r.datetime_precision})`);
    return dataType;
  };
  return rows
    .map((r) => ({
      table: r.table_name,
      column: r.column_name,
      type: r.data_type === "ARRAY" ? `${scalar(r, r.udt_name.slice(1), r.udt_name.slice(1) === "text" ? "text" : "USER-DEFINED")}[]` : scalar(r, r.udt_name, r.data_type),
      nullable: r.is_nullable === "YES",
    }))
    .sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

describe("schema.prisma vs the migrated database", () => {
  let deps: Deps;
  beforeAll(async () => {
    deps = await testDeps();
  });
  afterAll(() => closeDeps(deps));

  it("has exactly the schema's tables, columns, types and nullability", async () => {
    const schema = readFileSync(path.join(process.cwd(), "prisma", "schema.prisma"), "utf8");
    expect(await actualColumns(deps)).toEqual(expectedColumns(schema));
  });

  it("parses the schema into a non-trivial set of columns (the comparison above is not vacuous)", () => {
    const cols = expectedColumns(readFileSync(path.join(process.cwd(), "prisma", "schema.prisma"), "utf8"));
    expect(cols.length).toBeGreaterThan(30);
    expect(cols).toContainEqual({ table: "api_key", column: "scopes", type: "text[]", nullable: true });
    expect(cols).toContainEqual({ table: "app_user", column: "role", type: "enum Role", nullable: false });
  });
});
