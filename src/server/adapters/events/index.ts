import { createMemoryEventBus } from "./memory";
import { createPostgresEventBus } from "./postgres";
import type { EventBus } from "./types";

export type { EventBus, EventBusKind } from "./types";
export { createMemoryEventBus, createPostgresEventBus };
export { openEventStream } from "./stream";

/** Postgres LISTEN/NOTIFY when the database is a real Postgres (shared by every instance), else in-process. */
export function createEventBus(cfg: { databaseUrl?: string }): EventBus {
  return cfg.databaseUrl ? createPostgresEventBus(cfg.databaseUrl) : createMemoryEventBus();
}
