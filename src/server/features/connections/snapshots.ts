import { PROVIDER_SNAPSHOTS, type SnapshotCache } from "@/server/core/snapshot";

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
