import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWordPressFake, type WordPressFake } from "../../../../tests/fakes/wordpress";
import { createWordPressSite } from "./http";
import { WordPressError } from "./types";

/** The WordPress adapter against the local fake: discovery, Site Health with an application password, failures. */
let fake: WordPressFake;

beforeAll(async () => {
  fake = await startWordPressFake();
  fake.addSite("main");
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.mode = "ok";
  const s = fake.sites.get("main")!;
  s.down = false;
  s.critical.clear();
});

const site = (opts: { user?: string; appPassword?: string; timeoutMs?: number } = {}) =>
  createWordPressSite({ id: "wordpress", name: "main", url: fake.siteUrl("main"), user: opts.user, appPassword: opts.appPassword }, { timeoutMs: opts.timeoutMs ?? 2_000 });

async function failure(p: Promise<unknown>): Promise<WordPressError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WordPressError);
  return err as WordPressError;
}

describe("WordPress adapter", () => {
  it("discovers the REST index and times it", async () => {
    const { discovery, responseMs } = await site().discover();
    expect(discovery).toMatchObject({ name: "Fake site main", siteHealthAvailable: true, applicationPasswords: true });
    expect(discovery.namespaces).toContain("wp/v2");
    expect(responseMs).toBeGreaterThan(0);
  });

  it("runs the Site Health tests with an application password (spaces or not)", async () => {
    fake.sites.get("main")!.critical.add("https-status");
    const results = await site({ user: "ops", appPassword: "abcdEFGHijklMNOPqrstUVWX" }).siteHealth();
    expect(results).toHaveLength(6);
    expect(results.find((r) => r.test === "https-status")).toMatchObject({ status: "critical", badge: "Security" });
    expect(results.filter((r) => r.status === "good")).toHaveLength(5);
  });

  it("marks each test as an error when the password is refused (401)", async () => {
    const results = await site({ user: "ops", appPassword: "wrong" }).siteHealth();
    expect(results.every((r) => r.status === "error" && /401/.test(r.error ?? ""))).toBe(true);
  });

  it("fails discovery on 503, 429, a path that is not WordPress, and a hang", async () => {
    fake.sites.get("main")!.down = true;
    expect((await failure(site().discover())).kind).toBe("http");
    fake.sites.get("main")!.down = false;
    fake.mode = "rate_limited";
    expect((await failure(site().discover())).kind).toBe("rate_limited");
    fake.mode = "ok";
    const other = createWordPressSite({ id: "x", name: "x", url: `${fake.url}/nope` });
    expect((await failure(other.discover())).status).toBe(404);
    fake.mode = "hang";
    const started = Date.now();
    expect((await failure(site({ timeoutMs: 300 }).discover())).kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("says unreachable when nothing listens", async () => {
    const gone = createWordPressSite({ id: "x", name: "x", url: "http://127.0.0.1:1" }, { timeoutMs: 1_000 });
    expect((await failure(gone.discover())).kind).toBe("network");
  });
});
