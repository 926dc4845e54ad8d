import { ScopeGuard } from "@/server/features/context/access";
import { callOf } from "@/server/trpc/context";
import { router, scopedProcedure } from "@/server/trpc/procedures";
import { getSessionInput, listSessionsInput, listSessionsOutput, putSessionInput, putSessionOutput, sessionSchema } from "./schema";
import { getSession, listSessions, putSession, sessionScope } from "./service";

const read = scopedProcedure("context:read");
const write = scopedProcedure("cursor:write");
const tags = ["cursor"];

/** IDE sessions: what Cursor (through `orchestrator cursor sync`) is working on, shared with GPT and the team. */
export const cursorRouter = router({
  put: write
    .meta({
      openapi: {
        method: "PUT",
        path: "/cursor/session",
        operationId: "putCursorSession",
        summary: "Push an IDE session's state (branch, head, active file, selection, changed files, optional diff); a push that changes nothing is a heartbeat. Only the creating client may write it",
        tags,
      },
      effect: { destructive: true, idempotent: true },
      resource: "context",
      audit: "service",
    })
    .input(putSessionInput)
    .output(putSessionOutput)
    .mutation(async ({ ctx, input }) => {
      // the session's scope is the client's like any session scope: its other entries, grants and stream follow the same owner
      const scope = sessionScope(input.sessionId);
      const guard = new ScopeGuard(ctx.deps, ctx.actor);
      // once the check passed: the client the owner record names (the claim's answer, no read), or null for a caller that is no API key
      const ownerChecked = guard.assertWrite(scope).then(() => (ctx.actor.type === "api_key" ? guard.ownerOf(scope) : null));
      return putSession(ctx.deps, callOf(ctx), input, ownerChecked);
    }),

  get: read
    .meta({
      openapi: {
        method: "GET",
        path: "/cursor/session",
        operationId: "getCursorSession",
        summary: "One live IDE session: repo, branch, head, active file, changed files with stats and touched symbols (diff text only where raw code is allowed)",
        tags,
      },
      resource: "context",
    })
    .input(getSessionInput)
    .output(sessionSchema)
    .query(({ ctx, input }) => getSession(ctx.deps, input.sessionId)),

  list: read
    .meta({
      openapi: {
        method: "GET",
        path: "/cursor/sessions",
        operationId: "listCursorSessions",
        summary: "Live IDE sessions (who is working on what, where), optionally of one repo, with cursor pagination",
        tags,
      },
      resource: "context",
    })
    .input(listSessionsInput)
    .output(listSessionsOutput)
    .query(({ ctx, input }) => listSessions(ctx.deps, input)),
});
