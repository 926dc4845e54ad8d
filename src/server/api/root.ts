import { auditRouter } from "@/server/features/audit/router";
import { cloudwaysRouter } from "@/server/features/cloudways/router";
import { connectionsRouter } from "@/server/features/connections/router";
import { intentsRouter } from "@/server/features/intents/router";
import { contextRouter } from "@/server/features/context/router";
import { cursorRouter } from "@/server/features/cursor/router";
import { githubRouter } from "@/server/features/github/router";
import { jobsRouter } from "@/server/features/jobs/router";
import { keysRouter } from "@/server/features/keys/router";
import { metricsRouter } from "@/server/features/metrics/router";
import { notificationsRouter } from "@/server/features/notifications/router";
import { policyRouter } from "@/server/features/policy/router";
import { repoIndexRouter } from "@/server/features/search/repos-router";
import { searchRouter } from "@/server/features/search/router";
import { statusRouter } from "@/server/features/status/router";
import { suggestionsRouter } from "@/server/features/suggestions/router";
import { wordpressRouter } from "@/server/features/wordpress/router";
import { router } from "@/server/trpc/procedures";
// registers every feature's jobs, which the jobs router reports on and runs
import "./jobs";

/** The app router: every capability, composed from the features. */
export const appRouter = router({
  connections: connectionsRouter,
  metrics: metricsRouter,
  cloudways: cloudwaysRouter,
  wordpress: wordpressRouter,
  status: statusRouter,
  audit: auditRouter,
  keys: keysRouter,
  intents: intentsRouter,
  policy: policyRouter,
  context: contextRouter,
  github: githubRouter,
  search: searchRouter,
  repoIndex: repoIndexRouter,
  cursor: cursorRouter,
  suggestions: suggestionsRouter,
  jobs: jobsRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;
