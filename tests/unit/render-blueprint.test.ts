import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "@/env";

/**
 * render.yaml as Render reads it: a web service and a worker whose commands exist (package.json
 * scripts, the `orchestrator` bin and its subcommand), a Postgres and a Key Value wired to both, the
 * secrets generated once and shared, and only variables the app knows.
 */
interface EnvVar {
  key?: string;
  value?: string;
  generateValue?: boolean;
  fromGroup?: string;
  fromDatabase?: { name: string; property: string };
  fromService?: { type: string; name: string; property?: string };
  sync?: boolean;
}
interface Service {
  type: string;
  name: string;
  buildCommand?: string;
  startCommand?: string;
  envVars?: EnvVar[];
}
interface Blueprint {
  services: Service[];
  databases: { name: string }[];
  envVarGroups: { name: string; envVars: EnvVar[] }[];
}

const blueprint = parse(readFileSync("render.yaml", "utf8")) as Blueprint;
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string>; bin: Record<string, string> };
const cliHelp = execFileSync(process.execPath, ["bin/orchestrator.mjs", "--help"], { encoding: "utf8" });

/** Each `&&` part of a command: an npm script, npm ci, or the package's own bin with a known subcommand. */
function assertCommandExists(command: string) {
  for (const part of command.split("&&").map((p) => p.trim())) {
    const words = part.split(/\s+/);
    if (part === "npm ci") continue;
    if (words[0] === "npm" && words[1] === "start") expect(pkg.scripts.start, part).toBeTruthy();
    else if (words[0] === "npm" && words[1] === "run") expect(pkg.scripts[words[2]!], part).toBeTruthy();
    else if (words[0] === "npx") {
      expect(pkg.bin[words[1]!], part).toBeTruthy();
      expect(cliHelp, part).toMatch(new RegExp(`^\\s+${words[2]}\\b`, "m"));
    } else throw new Error(`Unrecognised command in render.yaml: ${part}`);
  }
}

describe("render.yaml", () => {
  const web = blueprint.services.find((s) => s.type === "web")!;
  const worker = blueprint.services.find((s) => s.type === "worker")!;
  const kv = blueprint.services.find((s) => s.type === "keyvalue")!;

  it("has a web service (npm start), a worker (orchestrator worker), a Key Value and a Postgres", () => {
    expect(web.startCommand).toBe("npm start");
    expect(worker.startCommand).toBe("npx orchestrator worker");
    expect(kv).toBeTruthy();
    expect(blueprint.databases).toHaveLength(1);
  });

  it("runs only commands that exist in package.json and the CLI", () => {
    for (const s of [web, worker]) {
      assertCommandExists(s.buildCommand!);
      assertCommandExists(s.startCommand!);
    }
  });

  it("wires the database, the Key Value and the generated secrets into both services", () => {
    const secrets = blueprint.envVarGroups.find((g) => g.name === "orchestrator-secrets")!;
    expect(
      secrets.envVars
        .filter((v) => v.generateValue)
        .map((v) => v.key)
        .sort(),
    ).toEqual(["CRON_SECRET", "NEXTAUTH_SECRET"]);
    for (const s of [web, worker]) {
      const vars = s.envVars!;
      expect(
        vars.some((v) => v.fromGroup === "orchestrator-secrets"),
        s.name,
      ).toBe(true);
      expect(vars.find((v) => v.key === "DATABASE_URL")?.fromDatabase).toEqual({ name: blueprint.databases[0]!.name, property: "connectionString" });
      expect(vars.find((v) => v.key === "REDIS_URL")?.fromService).toEqual({ type: "keyvalue", name: kv.name, property: "connectionString" });
    }
    // the web service leaves the queue and the schedules to the worker
    expect(web.envVars!.find((v) => v.key === "JOBS_RUNNER")?.value).toBe("off");
  });

  it("sets only variables the app's configuration knows", () => {
    const known = new Set(Object.keys(envSchema.shape));
    const keys = [...blueprint.services.flatMap((s) => s.envVars ?? []), ...blueprint.envVarGroups.flatMap((g) => g.envVars)].flatMap((v) => (v.key ? [v.key] : []));
    for (const k of keys) expect(known.has(k), k).toBe(true);
  });
});
