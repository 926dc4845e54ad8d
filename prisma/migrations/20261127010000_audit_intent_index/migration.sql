-- The Audit page's intent filter (`?intentId=`) finds an intent's own events by "target" and the calls
-- that only named the intent in their input (an agent's polls, a cancel, a refused approval) by this
-- partial expression index; without it that half of the filter read the whole log. The expression is
-- the one Prisma writes for a JSON path filter (input #> '{id}', compared as jsonb), which the
-- full-text search path writes too (features/audit/search.ts).
CREATE INDEX "audit_event_intent_input_id_idx" ON "audit_event" (("input" #> '{id}')) WHERE "resource_type" = 'intent';
