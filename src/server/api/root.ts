import { auditRouter } from "@/server/features/audit/router";
import { keysRouter } from "@/server/features/keys/router";
import { statusRouter } from "@/server/features/status/router";
import { router } from "@/server/trpc/procedures";

/** The app router: every capability, composed from the features. */
export const appRouter = router({
  status: statusRouter,
  audit: auditRouter,
  keys: keysRouter,
});

export type AppRouter = typeof appRouter;
