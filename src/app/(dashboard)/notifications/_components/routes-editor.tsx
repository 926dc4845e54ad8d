"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";
import { btn, field } from "../../../_components/buttons";

const CHANNELS = ["slack", "email", "webhook"] as const;
const SEVERITIES = ["info", "warning", "critical"] as const;

interface Row {
  eventType: string;
  channel: (typeof CHANNELS)[number];
  recipients: string;
  minSeverity: (typeof SEVERITIES)[number];
  quietStart: string;
  quietEnd: string;
  enabled: boolean;
}

/** The routing table as one editable grid; the server validates the whole table and saves it as one audited change. */
export function RoutesEditor() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.notifications.overview.queryOptions({}));
  const [rows, setRows] = useState<Row[] | null>(null);
  const save = useMutation(
    trpc.notifications.replaceRoutes.mutationOptions({
      onSuccess: async () => {
        setRows(null);
        await queryClient.invalidateQueries({ queryKey: trpc.notifications.pathKey() });
      },
    }),
  );
  if (!overview.data) return null;
  const current: Row[] =
    rows ??
    overview.data.routes.map((r) => ({
      eventType: r.eventType,
      channel: r.channel,
      recipients: r.recipients.join(", "),
      minSeverity: r.minSeverity,
      quietStart: r.quietStart ?? "",
      quietEnd: r.quietEnd ?? "",
      enabled: r.enabled,
    }));
  const update = (i: number, patch: Partial<Row>) => setRows(current.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const submit = () =>
    save.mutate({
      routes: current.map((r) => ({
        eventType: r.eventType as "*",
        channel: r.channel,
        recipients: r.recipients
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
        minSeverity: r.minSeverity,
        quietStart: r.quietStart || null,
        quietEnd: r.quietEnd || null,
        enabled: r.enabled,
      })),
    });
  return (
    <section aria-labelledby="routes-heading" className="space-y-3">
      <h2 id="routes-heading" className="text-sm font-semibold text-slate-900">
        Routes
      </h2>
      <p className="text-sm text-slate-600">
        Recipients (email only): <code>approvers</code> (who may approve that intent, never its requester or the requesting client&apos;s owner), <code>role:admin</code>, <code>role:operator</code>, …
        or an address. Quiet hours are UTC and hold back everything below critical until they end.
      </p>
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full text-sm" data-testid="routes-table">
          <thead className="bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              {["On", "Event", "Channel", "Recipients", "Min severity", "Quiet from", "to", ""].map((h) => (
                <th key={h} className="px-3 py-2 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {current.map((r, i) => (
              <tr key={i} data-testid="route-row">
                <td className="px-3 py-2">
                  <input type="checkbox" aria-label="Enabled" className="h-4 w-4 accent-indigo-600" checked={r.enabled} onChange={(e) => update(i, { enabled: e.target.checked })} />
                </td>
                <td className="px-3 py-2">
                  <select aria-label="Event type" className={`${field} min-w-56`} value={r.eventType} onChange={(e) => update(i, { eventType: e.target.value })}>
                    {overview.data.eventTypes.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </td>
                <td className="px-3 py-2">
                  <select aria-label="Channel" className={`${field} min-w-28`} value={r.channel} onChange={(e) => update(i, { channel: e.target.value as Row["channel"] })}>
                    {CHANNELS.map((c) => (
                      <option key={c}>{c}</option>
                    ))}
                  </select>
                </td>
                <td className="px-3 py-2">
                  <input aria-label="Recipients" className={`${field} min-w-48`} value={r.recipients} disabled={r.channel !== "email"} onChange={(e) => update(i, { recipients: e.target.value })} />
                </td>
                <td className="px-3 py-2">
                  <select aria-label="Minimum severity" className={`${field} min-w-28`} value={r.minSeverity} onChange={(e) => update(i, { minSeverity: e.target.value as Row["minSeverity"] })}>
                    {SEVERITIES.map((s) => (
                      <option key={s}>{s}</option>
                    ))}
                  </select>
                </td>
                <td className="px-3 py-2">
                  <input aria-label="Quiet from" placeholder="22:00" className={`${field} w-20`} value={r.quietStart} onChange={(e) => update(i, { quietStart: e.target.value })} />
                </td>
                <td className="px-3 py-2">
                  <input aria-label="Quiet to" placeholder="07:00" className={`${field} w-20`} value={r.quietEnd} onChange={(e) => update(i, { quietEnd: e.target.value })} />
                </td>
                <td className="px-3 py-2">
                  <button type="button" className={btn.ghostDanger} onClick={() => setRows(current.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {save.error && (
        <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-700" data-testid="routes-error">
          {save.error.message}
        </p>
      )}
      <div className="flex gap-2">
        <button
          type="button"
          className={btn.secondary}
          onClick={() => setRows([...current, { eventType: "*", channel: "slack", recipients: "", minSeverity: "info", quietStart: "", quietEnd: "", enabled: true }])}
        >
          Add route
        </button>
        <button type="button" className={btn.primary} disabled={rows === null || save.isPending} onClick={submit} data-testid="save-routes">
          Save routes
        </button>
        {rows !== null && (
          <button type="button" className={btn.secondary} onClick={() => setRows(null)}>
            Discard changes
          </button>
        )}
      </div>
    </section>
  );
}
