import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/** The one-way import rule is enforced by lint: an import against it fails, one along it passes. */
const eslint = new ESLint();

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layering", () => {
  it.each([
    ["src/server/adapters/kv/x.ts", 'import { AuditLog } from "@/server/core/audit/log";\nexport const x = AuditLog;\n'],
    ["src/server/core/audit/x.ts", 'import { t } from "@/server/trpc/init";\nexport const x = t;\n'],
    ["src/server/jobs/x.ts", 'import { listConnections } from "@/server/features/connections/service";\nexport const x = listConnections;\n'],
    ["src/server/trpc/x.ts", 'import { appRouter } from "@/server/api/root";\nexport const x = appRouter;\n'],
    ["src/server/features/context/x.ts", 'import { handleRest } from "@/server/api/rest";\nexport const x = handleRest;\n'],
    ["src/cli/x.ts", 'import { handleAdminCli } from "@/server/api/admin";\nexport const x = handleAdminCli;\n'],
  ])("refuses an upward import in %s", async (file, code) => {
    expect(await restricted(file, code)).toEqual([expect.stringContaining("Imports point one way only")]);
  });

  it.each([
    ["src/server/features/context/x.ts", 'import { AuditLog } from "@/server/core/audit/log";\nexport const x = AuditLog;\n'],
    ["src/cli/x.ts", 'import { jobs } from "@/server/api/jobs";\nimport { runAdminCommand } from "@/server/api/commands";\nexport const x = [jobs, runAdminCommand];\n'],
    ["src/server/features/context/x.test.ts", 'import { appRouter } from "@/server/api/root";\nexport const x = appRouter;\n'],
  ])("allows %s", async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});
