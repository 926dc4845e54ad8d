import { after } from "next/server";

/**
 * Keeps the platform from freezing the process before `work` settles: inside a request, Next's
 * `after()` (the platform's waitUntil on Vercel); outside one (the worker, the CLI, a test) the
 * process outlives the work anyway, so nothing is needed.
 */
export function keepAlive(work: Promise<unknown>): void {
  try {
    after(() => work);
  } catch {
    // not in a request scope
  }
}
