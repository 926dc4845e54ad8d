import { EventEmitter } from "node:events";
import { decodeEvent, encodeEvent, guarded, type EventBus } from "./types";

/** In-process fan-out: one instance only (the embedded database or tests). Same encoding and limits as Postgres. */
export function createMemoryEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: "memory",
    async publish(channel, payload) {
      const text = encodeEvent(channel, payload);
      // Asynchronous like a real bus: a publisher never runs its subscribers' code on its own stack.
      setImmediate(() => {
        const event = decodeEvent(text);
        if (event) emitter.emit(event.channel, event.payload);
      });
    },
    async subscribe(channel, listener) {
      const safe = guarded(listener);
      emitter.on(channel, safe);
      return () => void emitter.off(channel, safe);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
