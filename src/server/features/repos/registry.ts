import path from "node:path";
import { querySql } from "@/server/adapters/db";
import { gitTopLevel } from "@/server/adapters/git/cli";
import { splitRepo } from "@/server/adapters/github/client";
import { createGitHubSource } from "@/server/adapters/repo-source/github";
import { createLocalGitSource } from "@/server/adapters/repo-source/local-git";
import type { RepoSource } from "@/server/adapters/repo-source/types";
import { eventFor, type CallContext } from "@/server/core/audit/log";
import { systemActor } from "@/server/core/auth/actor";
import { AppError } from "@/server/core/errors";
import type { Deps } from "@/server/deps";
import type { Repo } from "@/generated/prisma/client";
import { mapGitHubError } from "../github/errors";

/**
 * Which repositories the orchestrator knows: every GITHUB_REPO entry when GITHUB_TOKEN is set,
 * otherwise the local git checkout (REPO_PATH, else the working directory) as `local/<folder>`.
 * `syncRepos` keeps the `repo` rows in step with that (registering or updating, audited); rows of
 * repositories no longer configured stay, with their index, until removed on purpose.
 */
interface Wanted {
  id: string;
  source: "github" | "local";
  defaultBranch: string;
  localPath: string | null;
  htmlUrl: string | null;
}

const systemCall = (requestId: string): CallContext => ({ actor: systemActor("repo-registry"), requestId, surface: "system" });

async function wantedRepos(deps: Deps): Promise<Wanted[]> {
  if (deps.github && deps.env.githubRepos.length > 0) {
    const octokit = deps.github;
    return Promise.all(
      deps.env.githubRepos.map(async (id) => {
        let parts: { owner: string; repo: string };
        try {
          parts = splitRepo(id);
        } catch {
          throw new AppError("BAD_REQUEST", `GITHUB_REPO entry "${id}" is not owner/name.`);
        }
        const { data } = await octokit.rest.repos.get(parts).catch((err: unknown) => mapGitHubError(err, id));
        return { id: data.full_name, source: "github" as const, defaultBranch: data.default_branch, localPath: null, htmlUrl: data.html_url };
      }),
    );
  }
  const local = await localCheckout(deps);
  if (!local) return [];
  return [{ id: local.id, source: "local", defaultBranch: await createLocalGitSource(local.id, local.dir).defaultBranch(), localPath: local.dir, htmlUrl: null }];
}

/** Registers the configured repositories (or updates their branch and path); returns their rows, in configuration order. */
export async function syncRepos(deps: Deps, requestId = `repo-sync-${Date.now()}`): Promise<Repo[]> {
  const wanted = await wantedRepos(deps);
  if (wanted.length === 0) return [];
  return deps.audit.transact(async (tx, audit) => {
    const rows: Repo[] = [];
    for (const w of wanted) {
      const fields = { source: w.source, defaultBranch: w.defaultBranch, localPath: w.localPath, htmlUrl: w.htmlUrl };
      // Two first requests at once both register: ON CONFLICT DO NOTHING lets one of them do it.
      const created = await tx.repo.createMany({ data: [{ id: w.id, ...fields }], skipDuplicates: true });
      const before = await tx.repo.findUniqueOrThrow({ where: { id: w.id } });
      if (created.count === 1) {
        rows.push(before);
        await audit(eventFor(systemCall(requestId), { action: "repo.register", resourceType: "repo", target: w.id, detail: fields }));
      } else if (before.source !== w.source || before.defaultBranch !== w.defaultBranch || before.localPath !== w.localPath || before.htmlUrl !== w.htmlUrl) {
        rows.push(await tx.repo.update({ where: { id: w.id }, data: { ...fields, updatedAt: new Date() } }));
        await audit(
          eventFor(systemCall(requestId), {
            action: "repo.update",
            resourceType: "repo",
            target: w.id,
            detail: { before: { defaultBranch: before.defaultBranch, localPath: before.localPath }, after: fields },
          }),
        );
      } else rows.push(before);
    }
    return rows;
  });
}

/** The local checkout's id and folder, or null when REPO_PATH (or the working directory) is not in a git checkout. */
async function localCheckout(deps: Deps): Promise<{ id: string; dir: string } | null> {
  const dir = await gitTopLevel(path.resolve(deps.env.REPO_PATH ?? process.cwd()));
  return dir ? { id: `local/${path.basename(dir).replace(/[^A-Za-z0-9._-]/g, "-")}`, dir } : null;
}

/** The configured repositories' ids, in order, without asking GitHub. */
async function configuredIds(deps: Deps): Promise<string[]> {
  if (deps.github && deps.env.githubRepos.length > 0) return deps.env.githubRepos;
  const local = await localCheckout(deps);
  return local ? [local.id] : [];
}

const REPO_COLUMNS = `"id", "source", "default_branch" AS "defaultBranch", "local_path" AS "localPath", "html_url" AS "htmlUrl", "indexed_sha" AS "indexedSha",
  "indexed_at" AS "indexedAt", "index_state" AS "indexState", "index_lock_run_id" AS "indexLockRunId", "index_lock_expires_at" AS "indexLockExpiresAt",
  "created_at" AS "createdAt", "updated_at" AS "updatedAt"`;
const dateOrNull = (d: Date | string | null) => (d === null ? null : new Date(d));

/** Every registered repository, oldest first: read by every repository request, so through the plain pg pool where there is one. */
async function registeredRepos(deps: Deps): Promise<Repo[]> {
  const rows = await querySql<Repo>(deps, `SELECT ${REPO_COLUMNS} FROM "repo" ORDER BY "created_at"`, []);
  return rows.map((r) => ({
    ...r,
    indexedAt: dateOrNull(r.indexedAt),
    indexLockExpiresAt: dateOrNull(r.indexLockExpiresAt),
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
  }));
}

/**
 * The repository a request names (or, without a name, the first configured one), registering the
 * configured repositories on first use. Unknown ids are 404 with the known ones listed.
 */
export async function resolveRepo(deps: Deps, id: string | undefined): Promise<Repo> {
  let rows = await registeredRepos(deps);
  const configured = await configuredIds(deps);
  const find = (wanted: string) => rows.find((r) => r.id.toLowerCase() === wanted.toLowerCase());
  if (configured.some((c) => !find(c))) {
    await syncRepos(deps);
    rows = await registeredRepos(deps);
  }
  const row = id ? find(id) : configured.map(find).find(Boolean);
  if (row) return row;
  if (id) throw new AppError("NOT_FOUND", `No registered repository ${id}; known: ${rows.map((r) => r.id).join(", ") || "none"}.`);
  throw new AppError("NOT_FOUND", "No repository is configured: set GITHUB_TOKEN and GITHUB_REPO, or run the app inside a git checkout (or set REPO_PATH).");
}

/** Where a registered repository's files are read: GitHub's API, or `git` in the local checkout. */
export function repoSourceFor(deps: Deps, repo: Pick<Repo, "id" | "source" | "localPath">): RepoSource {
  if (repo.source === "github") {
    if (!deps.github) throw new AppError("UNAVAILABLE", `${repo.id} is a GitHub repository and GITHUB_TOKEN is not set.`);
    return createGitHubSource(deps.github, repo.id);
  }
  if (!repo.localPath) throw new AppError("UNAVAILABLE", `${repo.id} has no local path.`);
  return createLocalGitSource(repo.id, repo.localPath);
}
