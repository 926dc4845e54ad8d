import { z } from "zod";
import { callOf } from "@/server/trpc/context";
import { humanProcedure, router } from "@/server/trpc/procedures";
import { deadLettersInput, deadLettersOutput, overviewSchema, replaceRoutesInput, retryInput, retryOutput, sendTestInput, sendTestOutput } from "./schema";
import { listDeadLetters, notificationsOverview, replaceRoutes, retryDeadLetter, sendTest } from "./service";

/** The Notifications page, admins signed in only: routing, test sends and dead letters. No API key changes who is told what. */
const admin = humanProcedure("admin");

export const notificationsRouter = router({
  overview: admin
    .meta({ resource: "notification" })
    .input(z.strictObject({}))
    .output(overviewSchema)
    .query(({ ctx }) => notificationsOverview(ctx.deps)),

  replaceRoutes: admin
    .meta({ resource: "notification", audit: "service" })
    .input(replaceRoutesInput)
    .output(overviewSchema)
    .mutation(({ ctx, input }) => replaceRoutes(ctx.deps, callOf(ctx), input.routes)),

  sendTest: admin
    .meta({ resource: "notification", audit: "service", kind: "expensive" })
    .input(sendTestInput)
    .output(sendTestOutput)
    .mutation(({ ctx, input }) => sendTest(ctx.deps, callOf(ctx), input.channel)),

  deadLetters: admin
    .meta({ resource: "notification" })
    .input(deadLettersInput)
    .output(deadLettersOutput)
    .query(({ ctx, input }) => listDeadLetters(ctx.deps, input)),

  retry: admin
    .meta({ resource: "notification", audit: "service" })
    .input(retryInput)
    .output(retryOutput)
    .mutation(({ ctx, input }) => retryDeadLetter(ctx.deps, callOf(ctx), input.id)),
});
