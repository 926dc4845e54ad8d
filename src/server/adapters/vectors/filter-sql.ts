/**
 * Pinecone's metadata filter language compiled to SQL over a jsonb column, so a filter means the same
 * on either store: `{field: value}`, `$eq $ne $in $nin $gt $gte $lt $lte $exists`, `$and`, `$or`.
 * On a list field, `$eq`/`$in` match when any element matches (as in Pinecone). Field names and
 * values are always parameters, never spliced into the SQL.
 */
export class InvalidFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidFilterError";
  }
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const COMPARE: Record<string, string> = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" };

export function compileFilter(filter: Record<string, unknown>, column: string, params: unknown[]): string {
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const field = (name: string) => `${column}->${param(name)}::text`;
  const eq = (name: string, v: unknown) => {
    if (!isScalar(v)) throw new InvalidFilterError(`filter on "${name}": expected a string, number or boolean, got ${JSON.stringify(v)}`);
    return `coalesce(${field(name)} @> ${param(JSON.stringify(v))}::jsonb, false)`;
  };
  const anyOf = (name: string, list: unknown) => {
    if (!Array.isArray(list)) throw new InvalidFilterError(`filter on "${name}": $in and $nin take a list`);
    return list.length === 0 ? "false" : `(${list.map((v) => eq(name, v)).join(" OR ")})`;
  };

  const operator = (name: string, op: string, v: unknown): string => {
    switch (op) {
      case "$eq":
        return eq(name, v);
      case "$ne":
        return `NOT ${eq(name, v)}`;
      case "$in":
        return anyOf(name, v);
      case "$nin":
        return `NOT ${anyOf(name, v)}`;
      case "$exists":
        return v ? `${field(name)} IS NOT NULL` : `${field(name)} IS NULL`;
      default: {
        const sqlOp = COMPARE[op];
        if (!sqlOp) throw new InvalidFilterError(`filter on "${name}": unknown operator ${op}`);
        if (typeof v !== "number") throw new InvalidFilterError(`filter on "${name}": ${op} takes a number`);
        const f = field(name);
        return `(CASE WHEN jsonb_typeof(${f}) = 'number' THEN (${column}->>${param(name)}::text)::float8 ${sqlOp} ${param(v)}::float8 ELSE false END)`;
      }
    }
  };

  const clause = (f: Record<string, unknown>): string => {
    const parts = Object.entries(f).map(([key, value]) => {
      if (key === "$and" || key === "$or") {
        if (!Array.isArray(value) || value.length === 0) throw new InvalidFilterError(`${key} takes a non-empty list of filters`);
        return `(${value.map((v) => clause(v as Record<string, unknown>)).join(key === "$and" ? " AND " : " OR ")})`;
      }
      if (key.startsWith("$")) throw new InvalidFilterError(`unknown filter operator ${key}`);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const ops = Object.entries(value as Record<string, unknown>);
        if (ops.length === 0) throw new InvalidFilterError(`filter on "${key}" is empty`);
        return ops.map(([op, v]) => operator(key, op, v)).join(" AND ");
      }
      return eq(key, value);
    });
    return parts.length === 0 ? "true" : `(${parts.join(" AND ")})`;
  };

  return clause(filter);
}
