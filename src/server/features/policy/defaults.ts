import type { RuleInput } from "./schema";

/** The seeded policy, exactly as the intents migration inserts it as version 1 (a test compares them). */
export const DEFAULT_RULES: RuleInput[] = [
  {
    id: "gpt-no-deploy-main",
    description: "The GPT client cannot deploy to main or master",
    match: { clients: ["gpt", "gpt-*"], actions: ["deploy"], target: { branch: ["main", "master"] } },
    decision: "deny",
  },
  {
    id: "production-needs-approver",
    description: "Deploys and rollbacks to production need one approver",
    match: { actions: ["deploy", "rollback"], target: { environment: ["production", "prod"] } },
    decision: "require_approval",
    approvals: { count: 1, roles: ["approver", "admin"], expiresInMinutes: 60 },
  },
  {
    id: "default",
    description: "Everything else needs one approval",
    match: {},
    decision: "require_approval",
    approvals: { count: 1, roles: ["approver", "admin"], expiresInMinutes: 1440 },
  },
];
