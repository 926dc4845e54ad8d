import { finding, hoursBetween, round1, type Rule } from "./types";

/** A repo index behind its default branch: never indexed, failed, or at an older commit for more than an hour. */
const GRACE_HOURS = 1;

export const indexBehind: Rule = (s) =>
  s.repos.flatMap((r) => {
    if (r.indexState === "indexing" || r.indexState === "queued") return [];
    const failed = r.indexState === "failed";
    const never = !r.indexedSha;
    const behind = !never && r.headSha !== null && r.headSha !== r.indexedSha;
    if (!failed && !never && !behind) return [];
    // a push is indexed within minutes by the webhook: give it time before calling it behind
    if (behind && !failed && r.headDate && hoursBetween(r.headDate, s.now) < GRACE_HOURS) return [];
    const ageHours = r.indexedAt ? round1(hoursBetween(r.indexedAt, s.now)) : null;
    const why = failed ? "its last index run failed" : never ? "it was never indexed" : `it is at ${r.indexedSha!.slice(0, 7)}, the branch at ${r.headSha!.slice(0, 7)}`;
    return [
      finding("index-behind", r.repo, {
        severity: failed ? "warning" : "info",
        title: `Index of ${r.repo} is behind ${r.defaultBranch}`,
        summary: `The code index of ${r.repo} is behind ${r.defaultBranch}: ${why}${ageHours === null ? "" : ` (indexed ${ageHours} h ago)`}.`,
        action: `Reindex ${r.repo} from the Repos page.`,
        evidence: [
          { label: "index state", value: r.indexState, href: "/repos" },
          ...(r.indexedSha ? [{ label: "indexed commit", value: r.indexedSha.slice(0, 7), href: `/ai/github/repo?repo=${encodeURIComponent(r.repo)}` }] : []),
          ...(r.headSha ? [{ label: `${r.defaultBranch} head`, value: r.headSha.slice(0, 7), href: `/ai/github/commits?repo=${encodeURIComponent(r.repo)}` }] : []),
        ],
        // the head moves with every push: "behind" is material, which commit it is behind is not
        material: { state: failed ? "failed" : never ? "never" : "behind" },
      }),
    ];
  });
