import { createApiKey, listApiKeys, revokeApiKey } from "@/server/core/auth/key-store";
import { adminProcedure, router } from "@/server/trpc/procedures";
import { callOf } from "@/server/trpc/context";
import { createKeyInput, createKeyOutput, keyViewSchema, listKeysInput, listKeysOutput, revokeKeyInput } from "./schema";

export const keysRouter = router({
  create: adminProcedure
    .meta({
      openapi: { method: "POST", path: "/keys", operationId: "createApiKey", summary: "Create an API key for a client (admin); the key is returned once", tags: ["keys"] },
      resource: "api_key",
      audit: "service",
      effect: { destructive: false },
    })
    .input(createKeyInput)
    .output(createKeyOutput)
    .mutation(({ ctx, input }) => createApiKey(ctx.deps.audit, callOf(ctx), { ...input, expiresAt: input.expiresAt ? new Date(input.expiresAt) : null })),

  list: adminProcedure
    .meta({
      openapi: { method: "GET", path: "/keys", operationId: "listApiKeys", summary: "List API keys (prefix, client, scopes, last use), never their secrets (admin)", tags: ["keys"] },
      resource: "api_key",
    })
    .input(listKeysInput)
    .output(listKeysOutput)
    .query(({ ctx, input }) => listApiKeys(ctx.deps, input)),

  revoke: adminProcedure
    .meta({
      openapi: { method: "POST", path: "/keys/{prefix}/revoke", operationId: "revokeApiKey", summary: "Revoke an API key by its prefix (admin); takes effect at once", tags: ["keys"] },
      resource: "api_key",
      audit: "service",
      effect: { destructive: true, idempotent: true },
    })
    .input(revokeKeyInput)
    .output(keyViewSchema)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.deps.audit, ctx.deps.apiKeyCache, callOf(ctx), input.prefix)),
});
