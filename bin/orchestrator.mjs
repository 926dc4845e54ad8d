#!/usr/bin/env node
// The `orchestrator` command. Runs the TypeScript CLI through tsx, generating the Prisma client first if needed.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { register } from "tsx/esm/api";

const root = fileURLToPath(new URL("..", import.meta.url));
process.env.ORCHESTRATOR_CWD ??= process.cwd(); // `cursor sync` reads the checkout the user is in
process.chdir(root);
if (!existsSync(`${root}src/generated/prisma/client.ts`)) {
  execFileSync(process.execPath, [`${root}scripts/prisma-generate.mjs`], { stdio: "inherit" });
}
register({ tsconfig: `${root}tsconfig.json` });
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
