import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gunzipSync, gzipSync } from "node:zlib";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/env";
import { folderArchive } from "@/server/adapters/audit-archive/folder";
import { s3Archive } from "@/server/adapters/audit-archive/s3";
import { segmentBaseName, type ArchivedRow, type AuditArchiveSink, type ManifestDocument } from "@/server/adapters/audit-archive/types";
import { createKeyValueStore } from "@/server/adapters/kv";
import { createDeps, type Deps } from "@/server/deps";
import { auditJobs } from "@/server/features/audit/jobs";
import { exportAuditEvents } from "@/server/features/audit/lifecycle";
import { JobFailedError, runAttempt } from "@/server/jobs/execute";
import { closeDeps } from "../../../../tests/support/deps";
import { startS3 } from "../../../../tests/support/s3";
import { scratchPostgres } from "../../../../tests/support/scratch-db";
import { chainHash } from "./chain";
import { writeCheckpoint } from "./checkpoint";
import { openAuditLifecycle, type AuditLifecycle } from "./lifecycle";
import type { AuditEventInput, AuditRecord } from "./log";
import type { SignedManifest } from "./manifest";
import { auditRows } from "./rows";
import { rotateSegments, sealSegments } from "./seal";
import { auditKeyring, signerFromKey } from "./signing";
import { verifyAudit } from "./verify";

const DAY = 86_400_000;
const SIGNING_KEY = `ed25519:${randomBytes(32).toString("base64")}`;
/** Days ago at which three events each were recorded; retention is 30 days, segments 7. */
const EVENT_DAYS = [100, 93, 86, 79, 72, 65, 40, 20, 12];

/** Noon on the first day of the 7-day window holding that moment: events placed here never straddle a window's end. */
const inWindow = (ms: number) => Math.floor(ms / (7 * DAY)) * 7 * DAY + DAY / 2;

const event = (at: Date, n: number): AuditEventInput => ({
  at,
  actorType: "system",
  actorId: "test",
  action: "test.lifecycle",
  resourceType: "system",
  target: `item:${n}`,
  outcome: "success",
  status: 200,
  requestId: randomUUID(),
  surface: "system",
  input: { n, note: "ünïcode ✓" },
});

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

/** Runs SQL as the superuser with triggers off: how someone with the database's keys would tamper. */
async function asTamperer(deps: Deps, sql: string, ...params: unknown[]) {
  await deps.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
    await tx.$executeRawUnsafe(sql, ...params);
  });
}

const setRowHash = (deps: Deps, r: AuditRecord) => asTamperer(deps, `UPDATE audit_event SET action = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, BigInt(r.seq), r.action, r.prevHash, r.hash);

async function reinsert(deps: Deps, rows: AuditRecord[]) {
  for (const r of rows) {
    await deps.db.auditEvent.create({
      data: { ...r, seq: BigInt(r.seq), at: new Date(r.at), input: r.input ?? undefined, detail: r.detail ?? undefined } as never,
    });
  }
}

async function gzipRows(rows: ArchivedRow[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "tampered-"));
  const file = path.join(dir, "rows.ndjson.gz");
  await pipeline(Readable.from(rows.map((r) => `${JSON.stringify(r)}\n`)), createGzip(), createWriteStream(file));
  return file;
}

interface Variant {
  name: string;
  /** The primary sink (read by verify) first, the other one second. */
  sinks(): Promise<{ sinks: AuditArchiveSink[]; removeManifest: (segment: number) => Promise<void>; done: () => Promise<void> }>;
}

const variants: Variant[] = [
  {
    name: "local folder primary, s3rver mirror",
    async sinks() {
      const dir = await mkdtemp(path.join(tmpdir(), "audit-archive-"));
      const s3 = await startS3();
      return {
        sinks: [folderArchive(dir), s3Archive({ url: `s3://${s3.bucket}/mirror`, endpoint: s3.endpoint, credentials: s3.credentials })],
        removeManifest: (segment) => unlink(path.join(dir, `${segmentBaseName(segment)}.manifest.json`)),
        done: async () => {
          await s3.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "s3rver primary, local folder mirror",
    async sinks() {
      const dir = await mkdtemp(path.join(tmpdir(), "audit-archive-"));
      const s3 = await startS3();
      const client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
      return {
        sinks: [s3Archive({ url: `s3://${s3.bucket}/prod/audit`, endpoint: s3.endpoint, credentials: s3.credentials }), folderArchive(dir)],
        removeManifest: async (segment) => void (await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `prod/audit/${segmentBaseName(segment)}.manifest.json` }))),
        done: async () => {
          client.destroy();
          await s3.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(variants)("audit lifecycle on the real database: $name", (variant) => {
  let deps: Deps;
  let life: AuditLifecycle;
  let removeManifest: (segment: number) => Promise<void>;
  let dropAll: () => Promise<void>;
  const now = new Date();
  let sealed: SignedManifest[] = [];

  beforeAll(async () => {
    const scratch = await scratchPostgres("test_audit_life");
    deps = await createDeps({ env: parseEnv({ NODE_ENV: "test", AUDIT_SIGNING_KEY: SIGNING_KEY }), database: scratch ? { url: scratch.url } : { memory: true }, kv: createKeyValueStore({}) });
    const s = await variant.sinks();
    removeManifest = s.removeManifest;
    const signer = signerFromKey(SIGNING_KEY);
    life = { signer, keys: auditKeyring(signer, undefined), sinks: s.sinks, segmentDays: 7, retentionDays: 30, close: async () => {} };
    let n = 0;
    for (const days of EVENT_DAYS) await Promise.all([0, 1, 2].map((h) => deps.audit.record(event(new Date(inWindow(now.getTime() - days * DAY) + h * 3_600_000), n++))));
    await Promise.all([0, 1, 2].map(() => deps.audit.record(event(new Date(now.getTime() - 60_000), n++))));
    dropAll = async () => {
      for (const sink of s.sinks) await sink.close();
      await s.done();
      await closeDeps(deps);
      await scratch?.drop();
    };
  });
  afterAll(() => dropAll());

  it("seals every complete window into signed segments, archived to every sink", async () => {
    const result = await sealSegments(deps, life, { now });
    sealed = result.sealed;
    expect(sealed.length).toBe(EVENT_DAYS.length);
    expect(sealed.every((m) => m.count === 3)).toBe(true);
    expect(sealed[0]).toMatchObject({ segment: 1, firstSeq: 1, lastSeq: 3, prevManifestHash: null, alg: "ed25519" });
    for (const sink of life.sinks) {
      expect((await sink.listManifests()).map((m) => m.manifestHash)).toEqual(sealed.map((m) => m.manifestHash));
      const rows = await collect(sink.readSegment({ ...sealed[1]! }));
      expect(rows.map((r) => r.seq)).toEqual([4, 5, 6]);
      // every archived segment reads back as its rows in the database
      for (const m of sealed) expect(await collect(sink.readSegment({ ...m }))).toEqual(await collect(auditRows(deps.database, m.firstSeq, m.lastSeq)));
    }
    const stored = await deps.db.auditSegment.findMany({ orderBy: { segment: "asc" } });
    expect(stored.every((s) => s.archivedAt !== null)).toBe(true);
    expect(await deps.db.auditEvent.count({ where: { action: "audit.seal" } })).toBe(EVENT_DAYS.length);
    // sealing again finds nothing new: the open window stays live
    expect((await sealSegments(deps, life, { now })).sealed).toEqual([]);
  });

  it("rotation drops only archived rows past retention, through the audited path", async () => {
    const past = sealed.filter((m) => new Date(m.lastAt).getTime() < now.getTime() - 30 * DAY);
    const rotation = await rotateSegments(deps, life, { now });
    expect(rotation).toEqual({ throughSegment: past.at(-1)!.segment, rowsDropped: past.length * 3 });
    const first = await deps.db.auditEvent.findFirst({ orderBy: { seq: "asc" } });
    expect(Number(first!.seq)).toBe(past.at(-1)!.lastSeq + 1);
    expect(await deps.db.auditEvent.count({ where: { action: "audit.rotate" } })).toBe(1);
    // the trigger still refuses any other delete: unsealed rows even with the rotation flag, any row without it
    const live = sealed.at(-1)!.lastSeq + 1;
    await expect(
      deps.db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SELECT set_config('audit.rotation', 'on', true)");
        await tx.$executeRawUnsafe(`DELETE FROM audit_event WHERE seq = ${live}`);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(deps.db.$executeRawUnsafe(`DELETE FROM audit_event WHERE seq = ${sealed.at(-1)!.lastSeq}`)).rejects.toThrow(/append-only/);
    await expect(deps.db.$executeRawUnsafe(`DELETE FROM audit_segment WHERE segment = 1`)).rejects.toThrow(/append-only/);
    await expect(deps.db.$executeRawUnsafe(`UPDATE audit_segment SET head_hash = 'x' WHERE segment = 1`)).rejects.toThrow(/append-only/);
  });

  it("verifies ok across rotation: manifests, the live chain from the last rotated head, the archive", async () => {
    await writeCheckpoint(deps.db, life.signer, life.sinks);
    const result = await verifyAudit(deps.database, life);
    expect(result).toMatchObject({ ok: true, firstBadSeq: null, segments: EVENT_DAYS.length });
    expect(result.liveFromSeq).toBeGreaterThan(1);
    const withArchive = await verifyAudit(deps.database, life, { archive: true });
    expect(withArchive).toMatchObject({ ok: true, archivedChecked: EVENT_DAYS.length * 3 });
  });

  it("exports archived and live events of a time range", async () => {
    const since = new Date(now.getTime() - 110 * DAY);
    const until = new Date(now.getTime() - 11 * DAY);
    const rows = await collect(exportAuditEvents(deps, life, { since, until }));
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: EVENT_DAYS.length * 3 }, (_, i) => i + 1));
    const recent = await collect(exportAuditEvents(deps, life, { since: new Date(now.getTime() - 2 * DAY) }));
    expect(recent.filter((r) => r.action === "test.lifecycle")).toHaveLength(3);
  });

  it("detects a row deleted from the live tail (triggers disabled as superuser)", async () => {
    await writeCheckpoint(deps.db, life.signer, life.sinks);
    const tail = (await collect(auditRows(deps.database, 1))).slice(-2);
    await asTamperer(deps, `DELETE FROM audit_event WHERE seq >= $1`, BigInt(tail[0]!.seq));
    const result = await verifyAudit(deps.database, life);
    expect(result).toMatchObject({ ok: false, firstBadSeq: tail[0]!.seq });
    expect(result.reason).toMatch(/tail removed/);
    await reinsert(deps, tail);
    expect((await verifyAudit(deps.database, life)).ok).toBe(true);
  });

  it("re-hashes only the rows after the last sealed head; sealed rows by count and boundaries, in full with the archive check", async () => {
    const m = sealed.at(-1)!;
    const tail = await deps.db.auditEvent.count({ where: { seq: { gt: BigInt(m.lastSeq) } } });
    expect(await verifyAudit(deps.database, life)).toMatchObject({ ok: true, checked: tail });
    const [row] = await collect(auditRows(deps.database, m.firstSeq + 1, m.firstSeq + 1));
    await asTamperer(deps, `DELETE FROM audit_event WHERE seq = $1`, BigInt(row!.seq));
    expect(await verifyAudit(deps.database, life)).toMatchObject({ ok: false, firstBadSeq: row!.seq, reason: expect.stringMatching(/gap/) });
    await reinsert(deps, [row!]);
    await asTamperer(deps, `UPDATE audit_event SET target = 'item:forged' WHERE seq = $1`, BigInt(row!.seq));
    expect((await verifyAudit(deps.database, life)).ok).toBe(true); // a sealed row edited in place: the archive check's to find
    expect(await verifyAudit(deps.database, life, { archive: true })).toMatchObject({ ok: false, firstBadSeq: row!.seq, reason: expect.stringMatching(/altered/) });
    await asTamperer(deps, `UPDATE audit_event SET target = $2 WHERE seq = $1`, BigInt(row!.seq), row!.target);
    expect((await verifyAudit(deps.database, life, { archive: true })).ok).toBe(true);
  });

  it("detects the live chain recomputed without the key", async () => {
    const liveFrom = Number((await deps.db.auditEvent.findFirst({ orderBy: { seq: "asc" } }))!.seq);
    const target = sealed.find((m) => m.firstSeq >= liveFrom)!;
    const original = await collect(auditRows(deps.database, target.firstSeq));
    const forged: AuditRecord[] = [];
    let prev = original[0]!.prevHash;
    for (const [i, r] of original.entries()) {
      const row = { ...r, action: i === 1 ? "test.rewritten" : r.action, prevHash: prev };
      row.hash = chainHash(prev, row);
      prev = row.hash;
      forged.push(row);
    }
    for (const r of forged) await setRowHash(deps, r);
    const plain = await verifyAudit(deps.database, life);
    expect(plain).toMatchObject({ ok: false, firstBadSeq: target.firstSeq });
    expect(plain.reason).toMatch(/recomputed/);
    const exact = await verifyAudit(deps.database, life, { archive: true });
    expect(exact).toMatchObject({ ok: false, firstBadSeq: target.firstSeq + 1 });
    for (const r of original) await setRowHash(deps, r);
    expect((await verifyAudit(deps.database, life, { archive: true })).ok).toBe(true);
  });

  it("detects one archived row edited", async () => {
    const m = sealed[1]!;
    const [primary] = life.sinks;
    const original = await collect(primary!.readSegment({ ...m }));
    const edited = original.map((r) => (r.seq === m.firstSeq + 2 ? { ...r, target: "item:forged" } : r));
    await primary!.writeSegment({ ...m } as ManifestDocument, { gzipFile: await gzipRows(edited), rows: async function* () {} });
    const result = await verifyAudit(deps.database, life, { archive: true });
    expect(result).toMatchObject({ ok: false, firstBadSeq: m.firstSeq + 2 });
    expect(result.reason).toMatch(/row altered/);
    expect((await verifyAudit(deps.database, life)).ok).toBe(true); // the live check alone cannot see the archive
    await primary!.writeSegment({ ...m } as ManifestDocument, { gzipFile: await gzipRows(original), rows: async function* () {} });
    expect((await verifyAudit(deps.database, life, { archive: true })).ok).toBe(true);
  });

  it("detects a manifest removed from the archive", async () => {
    const m = sealed[3]!;
    await removeManifest(m.segment);
    const result = await verifyAudit(deps.database, life, { archive: true });
    expect(result).toMatchObject({ ok: false, firstBadSeq: m.firstSeq });
    expect(result.reason).toMatch(/missing from the archive/);
  });
});

describe("the audit jobs", () => {
  /** A scratch database with a DATA_DIR of its own (its archive folder), or the one given: two databases sharing an archive. */
  async function jobDeps(name: string, vars: Record<string, string>, sharedDataDir?: string) {
    const scratch = await scratchPostgres(name);
    const dataDir = sharedDataDir ?? (await mkdtemp(path.join(tmpdir(), `${name}-`)));
    const env = (more: Record<string, string> = {}) => parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir, AUDIT_RETENTION_DAYS: "30", ...vars, ...more });
    const deps = await createDeps({ env: env(), database: scratch ? { url: scratch.url } : { memory: true }, kv: createKeyValueStore({}) });
    const close = async () => {
      await closeDeps(deps);
      await scratch?.drop();
      if (!sharedDataDir) await rm(dataDir, { recursive: true, force: true });
    };
    return { deps, dataDir, env, close };
  }
  const runJob = (deps: Deps, name: string) =>
    auditJobs.find((j) => j.name === name)!.run({ deps, runId: randomUUID(), trigger: "manual", signal: new AbortController().signal, log: () => {}, data: {} });
  /** `n` events in a window that ended weeks ago: the next seal seals them, and rotation (30 days) drops them. */
  async function recordOld(deps: Deps, n: number) {
    const old = inWindow(Date.now() - 60 * DAY);
    for (let i = 0; i < n; i++) await deps.audit.record(event(new Date(old + i * 1_000), i));
  }
  /** Verifies with the keys and sinks of a configuration (`env`), not necessarily the one that sealed. */
  async function verifyUnder(deps: Deps, env: ReturnType<typeof parseEnv>, archive: boolean) {
    const life = openAuditLifecycle(env);
    try {
      return await verifyAudit(deps.database, life, { archive });
    } finally {
      await life.close();
    }
  }

  it("audit-seal seals, archives to DATA_DIR's folder and rotates; audit-checkpoint signs the head", async () => {
    const { deps, dataDir, close } = await jobDeps("test_audit_job", { AUDIT_SIGNING_KEY: "hmac:job-test-secret" });
    try {
      await recordOld(deps, 4);
      expect(await runJob(deps, "audit-seal")).toMatchObject({ sealed: 1, archived: [1], rotation: { throughSegment: 1, rowsDropped: 4 } });
      const folder = folderArchive(path.join(dataDir, "audit-archive"));
      expect((await folder.listManifests()).map((m) => [m.firstSeq, m.lastSeq])).toEqual([[1, 4]]);
      const cp = (await runJob(deps, "audit-checkpoint")) as { checkpointSeq: number };
      expect(cp.checkpointSeq).toBe(Number((await deps.db.auditEvent.findFirst({ orderBy: { seq: "desc" } }))!.seq));
      expect(await folder.latestCheckpoint()).toMatchObject({ seq: cp.checkpointSeq, alg: "hmac-sha256" });
    } finally {
      await close();
    }
  });

  it("audit-verify-archive fails its run with the first bad sequence when an archived row was edited", async () => {
    const { deps, dataDir, close } = await jobDeps("test_audit_verify_job", { AUDIT_SIGNING_KEY: "hmac:verify-job-secret" });
    const job = auditJobs.find((j) => j.name === "audit-verify-archive")!;
    const attempt = () => runAttempt(deps, job, { queueJobId: `verify-archive-${randomUUID()}`, attempt: 1, trigger: "manual" });
    try {
      expect(job.schedule).not.toBeNull();
      await recordOld(deps, 5);
      // sealed, archived and rotated: the archive is the only copy of rows 1..5
      expect(await runJob(deps, "audit-seal")).toMatchObject({ sealed: 1, rotation: { rowsDropped: 5 } });

      const good = await attempt();
      expect(good).toMatchObject({ ran: true, result: { ok: true, segments: 1, archivedChecked: 5 } });
      expect(await deps.db.jobRun.findUniqueOrThrow({ where: { id: (good as { runId: string }).runId } })).toMatchObject({ status: "succeeded", error: null });

      // one archived row edited (its content, not its hash): the archive is a plain gzip file anyone with the folder can rewrite
      const file = path.join(dataDir, "audit-archive", `${segmentBaseName(1)}.ndjson.gz`);
      const lines = gunzipSync(await readFile(file))
        .toString("utf8")
        .trimEnd()
        .split("\n");
      const row = JSON.parse(lines[2]!) as ArchivedRow;
      expect(row.seq).toBe(3);
      lines[2] = JSON.stringify({ ...row, target: "item:edited" });
      await writeFile(file, gzipSync(`${lines.join("\n")}\n`));

      const failed = await attempt().then(
        () => null,
        (err: unknown) => err,
      );
      expect(failed).toBeInstanceOf(JobFailedError);
      const run = await deps.db.jobRun.findFirstOrThrow({ where: { job: job.name, status: "failed" }, orderBy: { startedAt: "desc" } });
      expect(run.error).toMatch(/NOT intact at sequence 3: archive, segment 1: row altered/);
      expect(run.log.join("\n")).toMatch(/1 sealed segment\(s\)/);
      // and the people who watch the chain are told (once per break)
      const told = await deps.db.notificationOutbox.findMany({ where: { type: "audit.chain_failed" } });
      expect(told.map((n) => (n.payload as { firstBadSeq: number }).firstBadSeq)).toEqual([3]);
    } finally {
      await close();
    }
  });

  it("after a signing-key rotation, what the old key signed verifies while it is listed in AUDIT_SIGNING_KEYS_PREVIOUS", async () => {
    const OLD = "hmac:the-key-before";
    const NEW = `ed25519:${randomBytes(32).toString("base64")}`;
    const { deps, env, close } = await jobDeps("test_audit_key_rotation", { AUDIT_SIGNING_KEY: OLD });
    const rotated = env({ AUDIT_SIGNING_KEY: NEW, AUDIT_SIGNING_KEYS_PREVIOUS: OLD });
    try {
      await recordOld(deps, 3);
      // sealed, archived, rotated and checkpointed with the old key
      await runJob(deps, "audit-seal");
      expect(await verifyUnder(deps, env(), true)).toMatchObject({ ok: true, segments: 1 });

      expect(await verifyUnder(deps, rotated, true)).toMatchObject({ ok: true, segments: 1, archivedChecked: 3 });
      const unknown = await verifyUnder(deps, env({ AUDIT_SIGNING_KEY: NEW }), true);
      expect(unknown).toMatchObject({ ok: false, firstBadSeq: 1 });
      expect(unknown.reason).toMatch(/^segment 1: signed with key [0-9a-f]{16}, which is neither the configured key [0-9a-f]{16} nor one of AUDIT_SIGNING_KEYS_PREVIOUS$/);

      // the new key signs from now on: a checkpoint under it, and both verify together
      const next = openAuditLifecycle(rotated);
      const cp = await writeCheckpoint(deps.db, next.signer, next.sinks);
      await next.close();
      expect(cp?.keyId).toBe(signerFromKey(NEW).keyId);
      expect(await verifyUnder(deps, rotated, true)).toMatchObject({ ok: true, checkpointSeq: cp!.seq });
    } finally {
      await close();
    }
  });

  it("names its chain in manifests and checkpoints, and refuses another database's found in a shared archive", async () => {
    const a = await jobDeps("test_audit_chain_a", { AUDIT_SIGNING_KEY: "hmac:shared-key" });
    const b = await jobDeps("test_audit_chain_b", { AUDIT_SIGNING_KEY: "hmac:shared-key" }, a.dataDir);
    try {
      await recordOld(a.deps, 4);
      const chainA = (await a.deps.db.auditEvent.findUniqueOrThrow({ where: { seq: 1n } })).hash;
      await runJob(a.deps, "audit-seal");
      const folder = folderArchive(path.join(a.dataDir, "audit-archive"));
      expect((await folder.listManifests()).map((m) => m.chainId)).toEqual([chainA]);
      expect(await folder.latestCheckpoint()).toMatchObject({ chainId: chainA });
      expect(await verifyUnder(a.deps, a.env(), true)).toMatchObject({ ok: true });

      // a second database pointed at the same archive: A's checkpoint reaches past B's head, which read as B's tail removed
      await b.deps.audit.record(event(new Date(), 100));
      const plain = await verifyUnder(b.deps, b.env(), false);
      expect(plain).toMatchObject({ ok: false });
      expect(plain.reason).toMatch(/^checkpoint at \d+ belongs to another chain \([0-9a-f]{16}…\), not this log's \([0-9a-f]{16}…\)/);
      const withArchive = await verifyUnder(b.deps, b.env(), true);
      expect(withArchive).toMatchObject({ ok: false, firstBadSeq: 1 });
      expect(withArchive.reason).toMatch(/^segment 1: the archived manifest belongs to another chain/);
      // B's own checkpoints name B's chain and verify once it has the newest
      for (let i = 0; i < 8; i++) await b.deps.audit.record(event(new Date(), 101 + i));
      const own = await writeCheckpoint(b.deps.db, signerFromKey("hmac:shared-key"), []);
      expect(own?.chainId).toBe((await b.deps.db.auditEvent.findUniqueOrThrow({ where: { seq: 1n } })).hash);
      expect(own?.chainId).not.toBe(chainA);
      expect(await verifyUnder(b.deps, b.env(), false)).toMatchObject({ ok: true, checkpointSeq: own!.seq });
    } finally {
      await b.close();
      await a.close();
    }
  });
});
