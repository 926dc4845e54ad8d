import { openDatabase } from "@/server/adapters/db";
import { testDatabaseUrl, testRedisUrl } from "../support/services";

/** Once per run: the test database exists, answers and is migrated; Redis answers when configured. */
export default async function setup() {
  const url = testDatabaseUrl();
  if (url) {
    const db = await openDatabase({ url }).catch((err: Error) => {
      throw new Error(`Test database at ${url} is not usable: ${err.message}`);
    });
    await db.close();
  }
  const redisUrl = testRedisUrl();
  if (redisUrl) {
    const { default: Redis } = await import("ioredis");
    const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    try {
      await r.connect();
      await r.ping();
    } catch (err) {
      throw new Error(`Test Redis at ${redisUrl} is not reachable: ${(err as Error).message}`);
    } finally {
      r.disconnect();
    }
  }
}
