import { mkdirSync, writeFileSync } from "node:fs";

const distDir = process.env.NEXT_DIST_DIR ?? ".next";

/**
 * Next.js adds `<distDir>/types/**` to the tsconfig it checks. Test and bench builds use their own
 * build folders, so they get a throwaway tsconfig of their own (extending the real one) instead of
 * appending a line to tsconfig.json on every run.
 */
function tsconfigFor(dir) {
  if (dir === ".next") return "tsconfig.json";
  const file = `.next-tsconfig/${dir.replace(/[^\w.-]/g, "_")}.json`;
  mkdirSync(".next-tsconfig", { recursive: true });
  const include = ["next-env.d.ts", "**/*.ts", "**/*.tsx", `${dir}/types/**/*.ts`, `${dir}/dev/types/**/*.ts`].map((p) => `../${p}`);
  writeFileSync(file, JSON.stringify({ extends: "../tsconfig.json", include, exclude: ["../node_modules", "../.data", "../test-results", "../.next-*"] }, null, 2));
  return file;
}

/**
 * Hosts that `next dev` serves its scripts to besides `localhost`. Without them, a page opened at
 * http://127.0.0.1:3000 never hydrates (Next blocks its dev resources for other origins).
 */
function devOrigins() {
  const hosts = ["127.0.0.1", "[::1]"];
  for (const url of [process.env.ORCHESTRATOR_URL, process.env.NEXTAUTH_URL]) {
    try {
      if (url) hosts.push(new URL(url).hostname);
    } catch {
      // an invalid URL is reported by the app's own configuration check
    }
  }
  return [...new Set(hosts)];
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node at run time, not bundled: WASM Postgres, the Prisma runtime, native-ish drivers.
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "pglite-prisma-adapter", "@prisma/client", "@prisma/adapter-pg", "pg", "ioredis", "bcryptjs", "pg-boss"],
  poweredByHeader: false,
  allowedDevOrigins: devOrigins(),
  // Tests run their own server beside a developer's `npm run dev`, each with its own build folder.
  distDir,
  typescript: { tsconfigPath: tsconfigFor(distDir) },
  typedRoutes: false,
  // `next dev` would otherwise write an AGENTS.md of its own into every checkout (and upgrade prompts into it)
  agentRules: false,
  experimental: { agentUpgrade: false },
};

export default nextConfig;
