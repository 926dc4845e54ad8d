import type { Env } from "@/env";
import type { Db } from "@/server/adapters/db";
import { enqueueNotification } from "./outbox";

/**
 * Flap damping of connection alerts. "Down" is told after `downAfter` failed probes within the
 * window, "recovered" after `recoverAfter` good probes since the down; and each is told at most once
 * per window per connection, so a connection flapping up and down gives one down and one recovered
 * per window instead of one per probe. A held-back alert is not lost: it goes out on the first probe
 * after the window if the condition still holds.
 */
export interface Damping {
  downAfter: number;
  recoverAfter: number;
  windowMs: number;
}

/** The configuration's defaults: 3 failed probes, 3 good ones, a 15-minute window. */
export const DEFAULT_DAMPING: Damping = { downAfter: 3, recoverAfter: 3, windowMs: 15 * 60_000 };

export function dampingOf(e: Pick<Env, "NOTIFY_DOWN_AFTER" | "NOTIFY_RECOVER_AFTER" | "NOTIFY_FLAP_WINDOW_MINUTES">): Damping {
  return { downAfter: e.NOTIFY_DOWN_AFTER, recoverAfter: e.NOTIFY_RECOVER_AFTER, windowMs: e.NOTIFY_FLAP_WINDOW_MINUTES * 60_000 };
}

export interface AlertState {
  alerted: "up" | "down";
  /** Probes within the window: time (ms) and whether it was up. */
  recent: { at: number; ok: boolean }[];
  lastDownAlertAt: number | null;
  lastUpAlertAt: number | null;
}

export const INITIAL_ALERT_STATE: AlertState = { alerted: "up", recent: [], lastDownAlertAt: null, lastUpAlertAt: null };

export function dampStep(state: AlertState, probe: { at: number; ok: boolean }, d: Damping): { state: AlertState; alert: "down" | "recovered" | null; count: number } {
  const recent = [...state.recent.filter((p) => p.at > probe.at - d.windowMs), probe];
  const next: AlertState = { ...state, recent };
  const quiet = (last: number | null) => last === null || probe.at - last >= d.windowMs;
  if (state.alerted === "up") {
    const failed = recent.filter((p) => !p.ok).length;
    if (failed >= d.downAfter && quiet(state.lastDownAlertAt)) return { state: { ...next, alerted: "down", lastDownAlertAt: probe.at }, alert: "down", count: failed };
  } else {
    const good = recent.filter((p) => p.ok && p.at > (state.lastDownAlertAt ?? 0)).length;
    if (good >= d.recoverAfter && quiet(state.lastUpAlertAt)) return { state: { ...next, alerted: "up", lastUpAlertAt: probe.at }, alert: "recovered", count: good };
  }
  return { state: next, alert: null, count: 0 };
}

export interface ProbeOutcome {
  id: string;
  kind: string;
  at: Date;
  up: boolean;
  error: string | null;
}

interface Row {
  connection_id: string;
  alerted: "up" | "down";
  recent: AlertState["recent"];
  last_down_alert_at: Date | null;
  last_up_alert_at: Date | null;
  checked_at: Date;
}

/**
 * Feeds probe outcomes through the damping and enqueues the alerts it decides, in one transaction
 * with the damping state (rows locked, so two probe runs at once count each probe once). A result
 * older than the last one counted is ignored.
 */
export async function recordProbesForAlerts(db: Db, probes: ProbeOutcome[], d: Damping): Promise<{ id: string; alert: "down" | "recovered" }[]> {
  if (probes.length === 0) return [];
  return db.$transaction(async (tx) => {
    const ids = [...new Set(probes.map((p) => p.id))].sort();
    await tx.$executeRawUnsafe(
      `INSERT INTO "connection_alert_state" ("connection_id", "alerted", "recent", "checked_at") SELECT unnest($1::text[]), 'up', '[]'::jsonb, 'epoch' ON CONFLICT DO NOTHING`,
      ids,
    );
    const rows = await tx.$queryRawUnsafe<Row[]>(`SELECT * FROM "connection_alert_state" WHERE "connection_id" = ANY($1::text[]) ORDER BY "connection_id" FOR UPDATE`, ids);
    const alerts: { id: string; alert: "down" | "recovered" }[] = [];
    for (const row of rows) {
      let state: AlertState = { alerted: row.alerted, recent: row.recent, lastDownAlertAt: row.last_down_alert_at?.getTime() ?? null, lastUpAlertAt: row.last_up_alert_at?.getTime() ?? null };
      let checked = row.checked_at.getTime();
      for (const p of probes.filter((x) => x.id === row.connection_id && x.at.getTime() > checked).sort((a, b) => a.at.getTime() - b.at.getTime())) {
        const downSince = state.lastDownAlertAt;
        const step = dampStep(state, { at: p.at.getTime(), ok: p.up }, d);
        state = step.state;
        checked = p.at.getTime();
        if (step.alert === "down") {
          await enqueueNotification(tx, {
            type: "connection.down",
            data: { connectionId: p.id, kind: p.kind, error: p.error, failedProbes: step.count, windowMinutes: Math.round(d.windowMs / 60_000) },
          });
        } else if (step.alert === "recovered") {
          await enqueueNotification(tx, {
            type: "connection.recovered",
            data: { connectionId: p.id, kind: p.kind, downSince: downSince === null ? null : new Date(downSince).toISOString(), goodProbes: step.count },
          });
        }
        if (step.alert) alerts.push({ id: p.id, alert: step.alert });
      }
      await tx.$executeRawUnsafe(
        `UPDATE "connection_alert_state" SET "alerted" = $2, "recent" = $3::jsonb, "last_down_alert_at" = $4::timestamptz, "last_up_alert_at" = $5::timestamptz, "checked_at" = $6::timestamptz WHERE "connection_id" = $1`,
        row.connection_id,
        state.alerted,
        JSON.stringify(state.recent),
        state.lastDownAlertAt === null ? null : new Date(state.lastDownAlertAt).toISOString(),
        state.lastUpAlertAt === null ? null : new Date(state.lastUpAlertAt).toISOString(),
        new Date(checked).toISOString(),
      );
    }
    return alerts;
  });
}
