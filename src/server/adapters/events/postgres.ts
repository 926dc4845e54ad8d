import { EventEmitter } from "node:events";
import pg from "pg";
import { decodeEvent, encodeEvent, guarded, type EventBus } from "./types";

/** One Postgres channel for every app event; the envelope names the app-level channel. */
const PG_CHANNEL = "oo_events";
const RECONNECT_MS = 1_000;

/**
 * Fan-out over Postgres LISTEN/NOTIFY on one dedicated connection per process (opened on first use),
 * so it works whatever the key-value store is (Upstash's REST API has no convenient pub/sub). A process
 * receives its own notifications too, so local and remote subscribers see one path.
 */
export function createPostgresEventBus(url: string): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let current: Promise<pg.Client> | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  function connect(): Promise<pg.Client> {
    if (closed) return Promise.reject(new Error("event bus closed"));
    current ??= open().catch((err: unknown) => {
      current = null;
      throw err;
    });
    return current;
  }

  async function open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5_000 });
    client.on("notification", (msg) => {
      if (msg.channel !== PG_CHANNEL || !msg.payload) return;
      const event = decodeEvent(msg.payload);
      if (event) emitter.emit(event.channel, event.payload);
    });
    let gone = false;
    const lost = (err?: Error) => {
      if (closed || gone) return;
      gone = true;
      console.warn(`[events] listen connection lost${err ? `: ${err.message}` : ""}; reconnecting`);
      void client.end().catch(() => {});
      current = null;
      // Listeners remain registered; re-listen so they keep receiving (what was sent meanwhile is missed).
      clearTimeout(retry);
      if (emitter.eventNames().length > 0) retry = setTimeout(() => void connect().catch(() => {}), RECONNECT_MS);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${PG_CHANNEL}`);
    } catch (err) {
      gone = true;
      void client.end().catch(() => {});
      if (!closed && emitter.eventNames().length > 0) {
        clearTimeout(retry);
        retry = setTimeout(() => void connect().catch(() => {}), RECONNECT_MS);
      }
      throw err;
    }
    return client;
  }

  // Group publish: concurrent publishes share one statement on the one connection (a pg client runs
  // one query at a time), each resolved once its notification is sent.
  let pending: { text: string; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let flushing: Promise<void> | null = null;
  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        const client = await connect();
        await client.query("SELECT pg_notify($1, t) FROM unnest($2::text[]) AS t", [PG_CHANNEL, batch.map((b) => b.text)]);
        batch.forEach((b) => b.resolve());
      } catch (err) {
        batch.forEach((b) => b.reject(err));
      }
    }
    flushing = null;
  }

  return {
    kind: "postgres",
    publish(channel, payload) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ text: encodeEvent(channel, payload), resolve, reject });
        flushing ??= flush();
      });
    },
    async subscribe(channel, listener) {
      const safe = guarded(listener);
      emitter.on(channel, safe);
      try {
        await connect();
      } catch (err) {
        emitter.off(channel, safe);
        throw err;
      }
      return () => void emitter.off(channel, safe);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      emitter.removeAllListeners();
      const client = await current?.catch(() => null);
      current = null;
      await client?.end().catch(() => {});
    },
  };
}
