import PgBoss from "pg-boss";
import { mapConcurrent } from "@/server/core/concurrency";
import type { Deps } from "@/server/deps";
import { runAttempt } from "./execute";
import type { JobDefinition, JobTrigger } from "./types";

/**
 * The queue every instance shares: pg-boss in its own schema of the app's database — over a pool of
 * its own on a real Postgres, over the embedded database's single connection otherwise. Each job is a
 * pg-boss queue with the job's retry policy, timeout (expiry), dead-letter queue and, for singleton
 * jobs, the singleton policy (at most one active job per key across every instance).
 */
export const QUEUE_SCHEMA = "pgboss";

export interface QueuePayload {
  trigger: JobTrigger;
  data?: Record<string, unknown>;
}

export interface SendOptions {
  trigger: JobTrigger;
  data?: Record<string, unknown>;
  /** A fixed id: a second send with the same id is dropped (schedule ticks). */
  id?: string;
  /** Singleton jobs: one active job per key (e.g. one index run per repo); default one per job. */
  singletonKey?: string;
}

export interface QueueOptions {
  /** Runs the queue's upkeep (expiring overdue jobs into retries, archiving). */
  supervise: boolean;
  /** Seconds between upkeep runs (pg-boss's default is 120). */
  maintenanceSeconds?: number;
}

export interface DeadLetter {
  id: string;
  data: unknown;
  error: string | null;
  createdAt: Date;
}

export const deadLetterOf = (job: string) => `${job}__dead`;

function bossFor(deps: Deps, opts: QueueOptions): PgBoss {
  const common = { schema: QUEUE_SCHEMA, schedule: false, supervise: opts.supervise, maintenanceIntervalSeconds: opts.maintenanceSeconds ?? 30 };
  if (deps.database.queueSql) {
    const run = deps.database.queueSql;
    return new PgBoss({ ...common, db: { executeSql: (text, values) => run(text, values) } });
  }
  if (!deps.database.url) throw new Error("The job queue needs the app's database.");
  return new PgBoss({ ...common, connectionString: deps.database.url, max: 4, application_name: "orchestrator-jobs" });
}

const DEADLOCK = "40P01";

async function createQueues(boss: PgBoss, defs: ReadonlyMap<string, JobDefinition>): Promise<void> {
  for (const def of defs.values()) {
    const dead = deadLetterOf(def.name);
    await boss.createQueue(dead, { name: dead, retryLimit: 0 });
    const policy = {
      name: def.name,
      retryLimit: def.retry.limit,
      retryDelay: def.retry.delaySeconds,
      retryBackoff: def.retry.backoff,
      expireInSeconds: def.timeoutSeconds,
      deadLetter: dead,
    };
    await boss.createQueue(def.name, { ...policy, policy: def.singleton ? "singleton" : "standard" });
    await boss.updateQueue(def.name, policy);
  }
}

export class JobQueue {
  private workers: string[] = [];
  private readonly shutdown = new AbortController();

  private constructor(
    readonly boss: PgBoss,
    private readonly defs: ReadonlyMap<string, JobDefinition>,
  ) {}

  static async open(deps: Deps, defs: ReadonlyMap<string, JobDefinition>, opts: QueueOptions): Promise<JobQueue> {
    const boss = bossFor(deps, opts);
    boss.on("error", (err: Error) => console.warn(`[jobs] queue: ${err.message}`));
    // Instances starting together on a fresh database create the same queues (a table partition each)
    // at once, and Postgres may break their lock cycle with a deadlock error: setup is idempotent, so retry it.
    for (let attempt = 1; ; attempt++) {
      try {
        await boss.start();
        await createQueues(boss, defs);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== DEADLOCK || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 200));
      }
    }
    return new JobQueue(boss, defs);
  }

  /** Queues a run; null when a job with the same id was already sent. */
  async send(name: string, opts: SendOptions): Promise<string | null> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`No job named "${name}".`);
    const payload: QueuePayload = { trigger: opts.trigger, data: opts.data };
    return this.boss.send(name, payload as object, { id: opts.id, singletonKey: opts.singletonKey });
  }

  /**
   * Works every job's queue in this process. A full batch fetches again at once (a backlog drains at
   * full speed); an empty queue is polled every `pollingSeconds`.
   */
  async work(deps: Deps, opts: { batchSize?: number; concurrency?: number; pollingSeconds?: number; onAttempt?: (ms: number) => void } = {}): Promise<void> {
    const batchSize = opts.batchSize ?? 20;
    for (const def of this.defs.values()) {
      const concurrency = def.singleton ? 1 : (opts.concurrency ?? 4);
      const workerId: string = await this.boss.work<QueuePayload>(def.name, { batchSize, includeMetadata: true, pollingIntervalSeconds: opts.pollingSeconds ?? 2 }, async (jobs) => {
        await mapConcurrent(jobs, concurrency, async (job) => {
          const t0 = performance.now();
          try {
            await runAttempt(deps, def, {
              queueJobId: job.id,
              attempt: job.retryCount + 1,
              trigger: job.retryCount > 0 ? "retry" : job.data.trigger,
              data: job.data.data,
              shutdown: this.shutdown.signal,
            });
          } catch (err) {
            // recorded by the attempt; failing the job here (not the batch) lets the queue retry this one alone
            await this.boss.fail(def.name, job.id, { message: (err as Error).message });
          } finally {
            opts.onAttempt?.(performance.now() - t0);
          }
        });
        if (jobs.length === batchSize) this.boss.notifyWorker(workerId);
      });
      this.workers.push(workerId);
    }
  }

  /** The job's dead letters (runs that failed every attempt), newest first, with their last error. */
  async deadLetters(job: string, limit = 20): Promise<DeadLetter[]> {
    const { rows } = (await this.boss.getDb().executeSql(
      `SELECT id, data, output, created_on FROM ${QUEUE_SCHEMA}.job WHERE name = $1
       UNION ALL SELECT id, data, output, created_on FROM ${QUEUE_SCHEMA}.archive WHERE name = $1
       ORDER BY created_on DESC LIMIT $2`,
      [deadLetterOf(job), limit],
    )) as { rows: { id: string; data: unknown; output: { message?: string } | null; created_on: Date }[] };
    return rows.map((r) => ({ id: r.id, data: r.data, error: r.output?.message ?? null, createdAt: new Date(r.created_on) }));
  }

  /** Stops working: runs in progress are told to stop (their signal aborts) and given `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.shutdown.abort();
    await this.boss.stop({ graceful: true, wait: true, timeout: graceMs, close: true }).catch(() => {});
  }
}
