/** @type {import('next').NextConfig} */
const nextConfig = {
  // Loaded by Node at run time, not bundled: WASM Postgres, the Prisma runtime, native-ish drivers.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "pglite-prisma-adapter",
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "ioredis",
    "bcryptjs",
  ],
  poweredByHeader: false,
  // Tests run their own server beside a developer's `npm run dev`, each with its own build folder.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  typedRoutes: false,
};

export default nextConfig;
