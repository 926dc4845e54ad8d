import { createReadStream } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipNdjsonRows } from "./ndjson";
import { checkpointName, segmentBaseName, type AuditArchiveSink, type CheckpointDocument, type ManifestDocument, type SegmentSource } from "./types";

/** Writes a file whole or not at all: a reader never sees half a manifest. */
async function writeAtomically(file: string, write: (tmp: string) => Promise<void>) {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await write(tmp);
  await rename(tmp, file);
}

async function readJsonFiles<T>(dir: string, suffix: string): Promise<T[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? [] : Promise.reject(err)));
  const wanted = names.filter((n) => n.endsWith(suffix)).sort();
  return Promise.all(wanted.map(async (n) => JSON.parse(await readFile(path.join(dir, n), "utf8")) as T));
}

/** A local folder (default DATA_DIR/audit-archive): segments/<n>.ndjson.gz + <n>.manifest.json, checkpoints/<seq>.json. */
export function folderArchive(root: string): AuditArchiveSink {
  const file = (name: string) => path.join(root, name);
  return {
    name: `folder ${root}`,
    async writeSegment(manifest: ManifestDocument, source: SegmentSource) {
      const base = segmentBaseName(manifest.segment);
      await writeAtomically(file(`${base}.ndjson.gz`), (tmp) => copyFile(source.gzipFile, tmp));
      await writeAtomically(file(`${base}.manifest.json`), (tmp) => writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`));
    },
    async listManifests() {
      const all = await readJsonFiles<ManifestDocument>(file("segments"), ".manifest.json");
      return all.sort((a, b) => a.segment - b.segment);
    },
    async *readSegment(manifest: ManifestDocument) {
      const stream = createReadStream(file(`${segmentBaseName(manifest.segment)}.ndjson.gz`));
      const opened = await new Promise<boolean>((resolve) => {
        stream.once("open", () => resolve(true));
        stream.once("error", () => resolve(false));
      });
      if (!opened) return;
      yield* gzipNdjsonRows(stream);
    },
    async writeCheckpoint(checkpoint: CheckpointDocument) {
      await writeAtomically(file(checkpointName(checkpoint.seq)), (tmp) => writeFile(tmp, `${JSON.stringify(checkpoint)}\n`));
    },
    async latestCheckpoint() {
      const dir = file("checkpoints");
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json")).sort();
      const last = names.at(-1);
      return last ? (JSON.parse(await readFile(path.join(dir, last), "utf8")) as CheckpointDocument) : null;
    },
    close: async () => {},
  };
}
