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
  typedRoutes: false,
};

export default nextConfig;
