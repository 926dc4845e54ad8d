import { watch } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { hostname } from "node:os";
import path from "node:path";
import type { SessionView } from "@/server/features/cursor/schema";
import { ApiFailure, backoffMs, callJson, type Server } from "./api";
import { readWorkingTree } from "./git-state";

/**
 * `orchestrator cursor sync`: pushes the working tree's state as an IDE session; with --watch, again
 * after every change (at most once a second, the last change of a burst always included) and as a
 * heartbeat every minute, riding out an unreachable server with backoff.
 */
export const MIN_PUSH_INTERVAL_MS = 1_000;
export const HEARTBEAT_MS = 60_000;
/** Quiet time after a change before pushing, so one save (several file events) is one push. */
const SETTLE_MS = 150;

export interface SyncOptions {
  server: Server;
  dir: string;
  sessionId?: string;
  file?: string;
  log: (line: string) => void;
}

interface PushResult {
  session: SessionView;
  conflict: boolean;
  changed: boolean;
}

/** One id per machine and checkout unless given: a restarted sync continues its own session. */
export function defaultSessionId(root: string): string {
  return `${hostname()}-${path.basename(root)}`.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 128);
}

function describe(r: PushResult): string {
  const s = r.session;
  const where = `${s.repo}@${s.branch ?? "(detached)"} ${s.head?.slice(0, 8) ?? "(no commits)"}`;
  const what = `${s.totals.files} changed file${s.totals.files === 1 ? "" : "s"} (+${s.totals.additions} −${s.totals.deletions})${s.activeFile ? `, editing ${s.activeFile}` : ""}`;
  return `${r.changed ? "pushed" : "heartbeat"} session ${s.sessionId} v${s.version}: ${where}, ${what}${r.conflict ? " — CONFLICT: another writer had pushed since; this push won" : ""}`;
}

export class Syncer {
  private version: number | undefined;
  private lastSentAt = 0;
  constructor(private readonly opts: SyncOptions) {}

  /** Reads the tree and sends it, never sooner than MIN_PUSH_INTERVAL_MS after the previous send (reading takes varying time). */
  async push(): Promise<PushResult> {
    const tree = await readWorkingTree(this.opts.dir, { file: this.opts.file });
    const { root: _root, ...state } = tree;
    const sessionId = this.opts.sessionId ?? defaultSessionId(tree.root);
    const wait = this.lastSentAt + MIN_PUSH_INTERVAL_MS - Date.now();
    if (wait > 0) await sleep(wait);
    this.lastSentAt = Date.now();
    const result = await callJson<PushResult>(this.opts.server, "PUT", "/ai/cursor/session", { sessionId, ...state, expectedVersion: this.version }, { log: this.opts.log });
    this.version = result.session.version;
    this.opts.log(describe(result));
    return result;
  }
}

/** Follows the checkout until `signal` aborts. Rejects only for what retrying cannot fix (401, 403, a bad request). */
export async function watchAndSync(opts: SyncOptions, signal: AbortSignal): Promise<void> {
  const syncer = new Syncer(opts);
  const root = (await readWorkingTree(opts.dir, { file: opts.file })).root;
  let lastPushAt = 0;
  let dirty = true;
  let pushing = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let fatal: (err: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    fatal = reject;
    signal.addEventListener("abort", () => resolve(), { once: true });
  });

  const schedule = (delayMs: number) => {
    if (timer || pushing || signal.aborted) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void run();
      },
      Math.max(0, delayMs),
    );
  };
  const nextSlot = () => Math.max(SETTLE_MS, lastPushAt + MIN_PUSH_INTERVAL_MS - Date.now());

  async function run() {
    if (signal.aborted) return;
    pushing = true;
    dirty = false;
    lastPushAt = Date.now();
    let retryIn: number | null = null;
    try {
      await syncer.push();
      failures = 0;
    } catch (err) {
      if (err instanceof ApiFailure && err.unreachable) {
        retryIn = backoffMs(failures++);
        opts.log(`${err.message} Retrying in ${Math.round(retryIn / 1000)} s.`);
        dirty = true;
      } else if (err instanceof ApiFailure && err.retryAfterSeconds !== null) {
        retryIn = err.retryAfterSeconds * 1000;
        dirty = true;
      } else {
        return fatal(err);
      }
    } finally {
      pushing = false;
    }
    if (retryIn !== null) schedule(retryIn);
    else if (dirty) schedule(nextSlot());
  }

  const watcher = watch(root, { recursive: true }, (_event, file) => {
    const name = file?.toString() ?? "";
    // git's own bookkeeping (our `git status` rewrites the index) would wake us forever; a branch switch moves HEAD
    if ((name === ".git" || name.startsWith(`.git${path.sep}`)) && name !== path.join(".git", "HEAD")) return;
    dirty = true;
    schedule(nextSlot());
  });
  const heartbeat = setInterval(() => {
    if (Date.now() - lastPushAt >= HEARTBEAT_MS - 1_000) schedule(0);
  }, HEARTBEAT_MS / 4);
  schedule(0);
  try {
    await done;
  } finally {
    watcher.close();
    clearInterval(heartbeat);
    clearTimeout(timer);
  }
}
