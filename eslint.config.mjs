import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * The one-way import rule (docs/architecture.md): app → server/api → features → trpc → jobs → core → deps → adapters.
 * A layer may import the ones below it, never one above. Tests are exempt: they wire layers together on purpose.
 */
const LAYERS = [
  { files: ["src/server/adapters/**"], above: ["@/server/deps", "@/server/core", "@/server/jobs", "@/server/trpc", "@/server/features", "@/server/api", "@/app", "@/cli"] },
  { files: ["src/server/core/**"], above: ["@/server/jobs", "@/server/trpc", "@/server/features", "@/server/api", "@/app", "@/cli"] },
  { files: ["src/server/jobs/**"], above: ["@/server/trpc", "@/server/features", "@/server/api", "@/app", "@/cli"] },
  { files: ["src/server/trpc/**"], above: ["@/server/features", "@/server/api", "@/app", "@/cli"] },
  { files: ["src/server/features/**"], above: ["@/server/api", "@/app", "@/cli"] },
  { files: ["src/server/api/**"], above: ["@/app", "@/cli"] },
  // the CLI sits beside the server: it runs the compositions (the jobs, the operator commands), never an HTTP surface
  { files: ["src/cli/**"], above: ["@/app", "@/server/trpc"], extra: ["@/server/api/*", "!@/server/api/jobs", "!@/server/api/commands"] },
];

const layering = LAYERS.map(({ files, above, extra = [] }) => ({
  files,
  ignores: ["**/*.test.ts", "**/*.test.tsx"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            group: [...above.flatMap((p) => [p, `${p}/**`]), ...extra],
            message: "Imports point one way only (app → api → features → trpc → jobs → core → deps → adapters); see docs/architecture.md.",
          },
        ],
      },
    ],
  },
}));

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", ".next-*/**", "node_modules/**", "src/generated/**", ".data/**", "test-results/**", "next-env.d.ts"] },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layering,
];
export default config;
