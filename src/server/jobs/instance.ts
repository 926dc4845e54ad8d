import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** Which process ran a job (host:pid:random), kept with every run record. */
const holder = globalThis as unknown as { __ooInstanceId?: string };

export function instanceId(): string {
  return (holder.__ooInstanceId ??= `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(3).toString("hex")}`);
}
