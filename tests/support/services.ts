/**
 * The real services the integration tier runs against: TEST_DATABASE_URL and TEST_REDIS_URL.
 * Unset, the tier runs on the embedded defaults (PGlite in memory, the in-process store), unless
 * REQUIRE_SERVICES=1 (CI), where a missing server fails the run instead.
 */
export const required = process.env.REQUIRE_SERVICES === "1";

export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    if (required) throw new Error("REQUIRE_SERVICES=1 but TEST_DATABASE_URL is not set.");
    return undefined;
  }
  const name = new URL(url).pathname.replace(/^\//, "");
  if (!/test/i.test(name)) throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  return url;
}

export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url && required) throw new Error("REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set.");
  return url;
}
