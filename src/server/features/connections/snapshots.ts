import type { SnapshotCache } from "@/server/core/snapshot";

/**
 * Snapshots of what outside providers (Cloudways, WordPress) answered: their keys start with this, so
 * a refresh of the connections forgets them all without knowing each feature's keys.
 */
export const PROVIDER_SNAPSHOTS = "provider:";

/** How long a provider's answer is reused: the connections map's refresh interval (10 s). */
export const PROVIDER_MAX_AGE_MS = 10_000;

/** Key prefix of the connections' snapshots: forgotten whenever probe results are saved on this instance. */
export const CONNECTIONS_SNAPSHOTS = "connections:";
/** How long the list is shared: under the connections map's 10-second refresh … */
export const CONNECTIONS_MAX_AGE_MS = 2_000;
/** … and under its 1-second refresh while a probe run is going. */
export const CONNECTIONS_RUNNING_MAX_AGE_MS = 500;

/**
 * After a probe run or a refresh: the connections' snapshots and the providers' cached answers
 * (Cloudways, WordPress) are older than what was just learned of them.
 */
export function forgetConnectionSnapshots(deps: { snapshots: SnapshotCache }) {
  deps.snapshots.invalidate(CONNECTIONS_SNAPSHOTS);
  deps.snapshots.invalidate(PROVIDER_SNAPSHOTS);
}
