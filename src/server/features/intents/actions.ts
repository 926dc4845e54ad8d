import { z } from "zod";
import { intentFacts, looksLikeSha, normalizeRef, type IntentFacts } from "@/server/features/policy/engine";
import type { IntentAction } from "@/server/features/policy/schema";

/**
 * The action registry: each action's target and params schemas (strict: agent input is untrusted)
 * and which executor runs it. What the policy sees (branch, environment, repo, server, app) comes
 * from the target only, normalized, and the executor sends exactly those values: an agent cannot
 * name one environment to the policy and another to the workflow.
 */
const repo = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/, "owner/name")
  .transform((s) => s.toLowerCase())
  .describe("GitHub repository, owner/name");
const ref = z
  .string()
  .trim()
  .max(200)
  .regex(/^(?!.*\.\.)(?!\/)[A-Za-z0-9._/-]+$/, "a branch, tag or commit (letters, digits, . _ / -; no ..)")
  .transform(normalizeRef)
  .describe("Branch, tag or commit SHA; refs/heads/ is stripped");
const environment = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,63}$/, "letters, digits, . _ -")
  .transform((s) => s.toLowerCase())
  .describe("Deployment environment, e.g. production or staging");
const cloudwaysId = z.string().regex(/^\d{1,12}$/, "a numeric Cloudways id");
const workflow = z
  .string()
  .regex(/^([A-Za-z0-9_.-]{1,100}\.ya?ml|\d{1,12})$/, "a workflow file name (deploy.yml) or numeric id")
  .describe("The workflow file in .github/workflows, or its numeric id");
const RESERVED_INPUTS = ["environment", "version", "ref"];
const inputs = z
  .record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.string().max(1000))
  .refine((r) => Object.keys(r).length <= 10, "at most 10 inputs")
  .refine((r) => !RESERVED_INPUTS.some((k) => Object.hasOwn(r, k)), `inputs may not set ${RESERVED_INPUTS.join(", ")}: they come from the target`)
  .optional()
  .describe("workflow_dispatch inputs (strings)");

const githubTarget = z.strictObject({ repo, ref, environment: environment.optional() });
const deployTarget = z.strictObject({ repo, ref, environment });

export const ACTION_SPECS = {
  deploy: {
    executor: "github",
    summary: "Dispatch a deploy workflow for a ref to an environment",
    target: deployTarget,
    params: z.strictObject({ workflow, inputs }),
  },
  rollback: {
    executor: "github",
    summary: "Dispatch a rollback workflow to an earlier version",
    target: deployTarget,
    params: z.strictObject({ workflow, version: ref.describe("The tag or SHA to roll back to"), inputs }),
  },
  run_workflow: {
    executor: "github",
    summary: "Dispatch any workflow (workflow_dispatch)",
    target: githubTarget,
    params: z.strictObject({ workflow, inputs }),
  },
  merge_pr: {
    executor: "github",
    summary: "Merge a pull request into the named base branch",
    target: z.strictObject({ repo, ref: ref.describe("The base branch the pull request merges into; checked before merging") }),
    params: z.strictObject({
      pullNumber: z.number().int().positive(),
      method: z.enum(["merge", "squash", "rebase"]).default("squash"),
      expectedHeadSha: z
        .string()
        .regex(/^[0-9a-f]{40}$/)
        .optional()
        .describe("Merge only if the PR head is still this commit"),
    }),
  },
  create_issue: {
    executor: "github",
    summary: "Open an issue",
    target: z.strictObject({ repo }),
    params: z.strictObject({
      title: z.string().trim().min(1).max(256),
      body: z.string().max(20_000).optional(),
      labels: z.array(z.string().min(1).max(50)).max(10).optional(),
    }),
  },
  purge_cache: {
    executor: "cloudways",
    summary: "Purge the Varnish cache of a server, or of one application",
    target: z.strictObject({ server: cloudwaysId, app: cloudwaysId.optional(), environment: environment.optional() }),
    params: z.strictObject({}).default({}),
  },
  restart_service: {
    executor: "cloudways",
    summary: "Restart a service on a server",
    target: z.strictObject({ server: cloudwaysId, environment: environment.optional() }),
    params: z.strictObject({ service: z.enum(["apache2", "nginx", "mysql", "mariadb", "php-fpm", "varnish", "redis-server", "memcached", "elasticsearch"]) }),
  },
  create_backup: {
    executor: "cloudways",
    summary: "Take an on-demand backup of a server",
    target: z.strictObject({ server: cloudwaysId, app: cloudwaysId.optional(), environment: environment.optional() }),
    params: z.strictObject({}).default({}),
  },
} as const satisfies Record<IntentAction, { executor: "github" | "cloudways"; summary: string; target: z.ZodType; params: z.ZodType }>;

export type ActionSpecs = typeof ACTION_SPECS;
export type TargetOf<A extends IntentAction> = z.output<ActionSpecs[A]["target"]>;
export type ParamsOf<A extends IntentAction> = z.output<ActionSpecs[A]["params"]>;

/** A parsed proposal: target and params already normalized by their schemas. */
export interface Payload {
  action: IntentAction;
  target: Record<string, string | undefined>;
  params: Record<string, unknown>;
  reason: string;
}

/** What the policy matches on, read from the normalized target and params; `shaBranches` from `shaBranchesOf`. */
export function factsOf(p: Pick<Payload, "action" | "target" | "params">, shaBranches?: readonly string[]): IntentFacts {
  return intentFacts(p.action, p.target, p.params, shaBranches);
}

/** Answers which branches of a repository have `sha` as their head (GitHub's branches-where-head). */
export type BranchesAtSha = (repo: string, sha: string) => Promise<string[]>;

/**
 * The branches whose head a commit-SHA ref (or a SHA in a ref-like workflow input) is, so a rule on
 * `main` also catches main's head commit. Undefined when there is no SHA to resolve, or no GitHub to
 * ask, or it did not answer: the policy then reads the branch as unknown (the stricter direction).
 */
export async function shaBranchesOf(p: Pick<Payload, "target" | "params">, branchesAt: BranchesAtSha | null): Promise<string[] | undefined> {
  const inputs = (p.params.inputs ?? {}) as Record<string, unknown>;
  const shas = [p.target.ref, ...Object.values(inputs)].filter((v): v is string => typeof v === "string" && looksLikeSha(v.trim()));
  if (shas.length === 0 || !p.target.repo || !branchesAt) return undefined;
  try {
    const found = await Promise.all(shas.map((sha) => branchesAt(p.target.repo!, sha.trim())));
    return [...new Set(found.flat())];
  } catch (err) {
    console.warn(`[policy] could not resolve the branches of a SHA ref: ${(err as Error).message}`);
    return undefined;
  }
}
