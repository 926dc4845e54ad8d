import type { Env } from "@/env";
import { notifySecrets, type ChannelName, type NotifyChannel } from "@/server/adapters/notify";
import type { Deps } from "@/server/deps";
import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff";
import { buryExhausted, drainChannel, type ChannelDrainSummary } from "./deliver";
import { routeEvents } from "./dispatch";

export interface DrainOptions {
  /** How long a claimed delivery stays leased; a process that dies mid-send is replaced once it ends. */
  leaseMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Sends in flight per channel (SMTP matches the pool's 4 connections). */
  concurrency: Record<ChannelName, number>;
  /** The run stops taking new work after this long. */
  budgetMs: number;
  signal: AbortSignal;
}

export interface DrainSummary {
  routedEvents: number;
  newDeliveries: number;
  buried: number;
  channels: Partial<Record<ChannelName, ChannelDrainSummary>>;
}

/** The public URL links point at: ORCHESTRATOR_URL, else NEXTAUTH_URL, else the local dev server. */
export function dashboardUrl(e: Pick<Env, "ORCHESTRATOR_URL" | "NEXTAUTH_URL">): string {
  return e.ORCHESTRATOR_URL ?? e.NEXTAUTH_URL ?? "http://localhost:3000";
}

export function drainDefaults(e: Pick<Env, "NOTIFY_MAX_ATTEMPTS">): DrainOptions {
  return { leaseMs: 60_000, maxAttempts: e.NOTIFY_MAX_ATTEMPTS, backoff: DEFAULT_BACKOFF, concurrency: { slack: 4, email: 4, webhook: 16 }, budgetMs: 45_000, signal: new AbortController().signal };
}

/**
 * Routes what is new in the outbox, then drains every configured channel side by side, each on its
 * own: a channel that is down or slow never holds up the others. The run goes on while events keep
 * arriving, up to its budget. Safe to run on several instances at once (every claim skips rows
 * another run holds).
 */
export async function drainOutbox(deps: Deps, options: Partial<DrainOptions> = {}): Promise<DrainSummary> {
  const o = { ...drainDefaults(deps.env), ...options };
  const deadline = Date.now() + o.budgetMs;
  const channels = Object.values(deps.notify).filter((c): c is NotifyChannel => c !== undefined);
  const configured = new Set(channels.map((c) => c.name));
  const summary: DrainSummary = { routedEvents: 0, newDeliveries: 0, buried: await buryExhausted(deps.db, o.maxAttempts), channels: {} };
  const expired = () => Date.now() >= deadline || o.signal.aborted;
  // One routing at a time, shared: a channel that runs dry routes new events for all, so none waits on a slow one.
  let routing: Promise<number> | null = null;
  const routeAll = () =>
    (routing ??= (async () => {
      let events = 0;
      for (;;) {
        const routed = await routeEvents(deps.db, configured);
        events += routed.events;
        summary.routedEvents += routed.events;
        summary.newDeliveries += routed.deliveries;
        if (routed.events === 0 || expired()) return events;
      }
    })().finally(() => (routing = null)));
  await routeAll();
  const common = { leaseMs: o.leaseMs, maxAttempts: o.maxAttempts, backoff: o.backoff, deadline, signal: o.signal, baseUrl: dashboardUrl(deps.env), secrets: notifySecrets(deps.env) };
  const results = await Promise.all(channels.map((c) => drainChannel(deps.db, c, { ...common, concurrency: o.concurrency[c.name] }, routeAll)));
  channels.forEach((c, i) => (summary.channels[c.name] = results[i]));
  return summary;
}
