import { setTimeout as sleep } from "node:timers/promises";

/** What a wait asks: something truthy once the awaited thing has happened. */
export type Check<T> = () => T | null | undefined | false | Promise<T | null | undefined | false>;

/**
 * Asks `check` every `everyMs` until it gives something truthy, and returns that; fails naming `what`
 * once `ms` have passed. Each test file binds its own timing (how long its waits may take, how often
 * asking is cheap enough).
 */
export async function pollUntil<T>(what: string, check: Check<T>, ms: number, everyMs: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
