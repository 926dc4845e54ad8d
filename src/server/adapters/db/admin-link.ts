import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * How the CLI reaches the app that holds the embedded database: the app writes its loopback URL
 * and a random token to `<dataDir>/admin.json` (mode 0600); the CLI reads it and calls
 * POST /api/admin/cli with the token. Whoever can read the data folder owns the database anyway.
 */
export interface AdminLink {
  /** The admin listener (operator commands, with the token). */
  url: string;
  /** The app itself (its REST API), for CLI commands that talk to it as any client does (cursor sync, listen). */
  appUrl?: string;
  token: string;
  pid: number;
}

const file = (dataDir: string) => path.join(dataDir, "admin.json");

export function writeAdminLink(dataDir: string, port: number, appPort?: number): AdminLink {
  const link: AdminLink = { url: `http://127.0.0.1:${port}`, ...(appPort ? { appUrl: `http://127.0.0.1:${appPort}` } : {}), token: randomBytes(32).toString("base64url"), pid: process.pid };
  writeFileSync(file(dataDir), JSON.stringify(link), { mode: 0o600 });
  chmodSync(file(dataDir), 0o600);
  process.once("exit", () => rmSync(file(dataDir), { force: true }));
  return link;
}

export function readAdminLink(dataDir: string): AdminLink | null {
  try {
    return JSON.parse(readFileSync(file(dataDir), "utf8")) as AdminLink;
  } catch {
    return null;
  }
}

export function tokenMatches(expected: string, sent: string | null): boolean {
  if (!sent) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
