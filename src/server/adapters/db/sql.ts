/** The few raw-SQL needs Prisma cannot serve (migrations, locks): one runner per driver. */
export interface SqlRunner {
  /** Runs a script of one or more statements, no parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}
