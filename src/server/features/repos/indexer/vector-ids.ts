import { hash } from "node:crypto";

/**
 * Deterministic ids shared by `code_chunk` and the vector store, so a re-run after a crash overwrites
 * what it wrote instead of adding to it. Vector records carry `type` chunk | file | folder in their
 * metadata; the namespace is the repo id.
 */
const sha = (...parts: (string | number)[]) => hash("sha256", parts.join("\0"), "hex");

export const chunkId = (repoId: string, path: string, blobSha: string, startLine: number) => sha(repoId, path, blobSha, startLine);
export const fileVectorId = (repoId: string, path: string) => `file:${sha(repoId, path)}`;
export const folderVectorId = (repoId: string, path: string) => `folder:${sha(repoId, path)}`;
export const vectorNamespace = (repoId: string) => repoId;
