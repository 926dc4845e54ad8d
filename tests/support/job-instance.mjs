#!/usr/bin/env node
// One instance of the jobs layer in a process of its own, for tests of several instances sharing one
// queue: `node tests/support/job-instance.mjs <job,job,...>` with DATABASE_URL set. Prints "ready".
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = fileURLToPath(new URL("../..", import.meta.url));
register({ tsconfig: `${root}tsconfig.json` });
const { runInstance } = await import("./job-instance-main.ts");
await runInstance(process.argv[2]?.split(",") ?? []);
