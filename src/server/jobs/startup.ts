import { ensureBootstrapKey } from "@/server/core/auth/key-store";
import { ensureFirstAdmin } from "@/server/core/auth/users";
import type { Deps } from "@/server/deps";

/** What the app does once when it starts: first admin, bootstrap key (owned by that admin); the CLI's admin link is started beside it, in instrumentation. */
export async function runStartup(deps: Deps): Promise<void> {
  const admin = await ensureFirstAdmin(deps.db, deps.audit);
  if (deps.env.ORCHESTRATOR_API_KEY) {
    if (await ensureBootstrapKey(deps.audit, deps.env.ORCHESTRATOR_API_KEY, deps.apiKeyCache)) console.log("[startup] ORCHESTRATOR_API_KEY registered as an admin key for client 'bootstrap'.");
  }
  if (admin) {
    console.log(
      [
        "",
        "  ┌─ First run: an admin account was created ─────────────────────",
        `  │ email:    ${admin.email}`,
        `  │ password: ${admin.password}`,
        "  │ Shown once. Sign in and create your own users with",
        "  │   npx orchestrator users create --email you@example.com --role admin",
        "  └────────────────────────────────────────────────────────────────",
        "",
      ].join("\n"),
    );
  }
}
