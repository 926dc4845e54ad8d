import type { Prisma, PrismaClient } from "@/generated/prisma/client";

/** The few raw-SQL needs Prisma cannot serve (migrations, locks): one runner per driver. */
export interface SqlRunner {
  /** Runs a script of one or more statements, no parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** One raw statement built with `Prisma.sql`, returning its rows. */
export type RawQuery = <T>(query: Prisma.Sql) => Promise<T[]>;

/** Raw statements through `sql` when given (a cheaper path than Prisma's driver adapter), else Prisma. */
export function rawQueryOf(db: Pick<PrismaClient, "$queryRaw">, sql?: SqlRunner): RawQuery {
  if (sql) return (query) => sql.query(query.text, query.values);
  return <T>(query: Prisma.Sql) => db.$queryRaw<T[]>(query);
}
