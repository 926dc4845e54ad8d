import { describe, expect, it } from "vitest";
import { emptySnapshot } from "./snapshot";
import { corpusOf, ungrounded } from "./grounding";
import { RULES } from "./rules";

const [failing] = RULES["workflow-failing"]!({
  ...emptySnapshot(new Date("2026-12-06T06:00:00Z")),
  workflows: [
    { repo: "acme/web", workflow: "deploy-site", workflowId: 7, branch: "main", runs: 10, failures: 4, medianSeconds: 300, previousMedianSeconds: 300, previousRuns: 9, lastFailureUrl: null },
  ],
});
const corpus = corpusOf([failing!], [1]);

describe("grounded check", () => {
  it.each([
    ["deploy-site in acme/web failed 4 of its 10 runs this week (40%): fix it and re-run it.", []],
    ["1 warning: deploy-site fails 40 % of its runs.", []],
    ["deploy-site in acme/web failed 9 of 10 runs.", ["9"]],
    ["Re-run deploy-site on the release/2.0 branch.", ["2.0", "release/2.0"]],
    ["Ask the Kubernetes team: kubeProxy is failing deploy-site.", ["kubeProxy"]],
    ["deploy-site fails 1,000 times.", ["1,000"]],
    ["Check the CI logs of `deploy-site`.", []],
  ] as [string, string[]][])("%s", (text, bad) => {
    expect(ungrounded(text, corpus)).toEqual(bad);
  });

  it("allows a number rounded from the evidence", () => {
    const c = corpusOf([], [99.23]);
    expect(ungrounded("uptime 99 % this week", c)).toEqual([]);
    expect(ungrounded("uptime 98 % this week", c)).toEqual(["98"]);
  });
});
