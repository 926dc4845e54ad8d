-- Every request appends an event, and the events' search index (audit_event_search_idx) takes new entries
-- into its pending list, which every search through the index reads whole: at Postgres's default limit of
-- 4 MB (~10,000 events) a search by a word of a few hundred events spent 3 ms of the database's CPU on the
-- list against 0.4 ms on the index itself. At 64 kB (the least allowed, as the embedded database is set)
-- an append merges the list after some 150 events, sorted, the same work per event in smaller pieces.
ALTER INDEX "audit_event_search_idx" SET (gin_pending_list_limit = 64);
