-- The chain a checkpoint belongs to (the hash of the chain's first event), signed with it, so a
-- checkpoint read from an archive shared with another database is told apart. Expand only: a
-- nullable column the previous release neither reads nor writes (its checkpoints stay valid without it).
ALTER TABLE "audit_checkpoint" ADD COLUMN "chain_id" TEXT;
