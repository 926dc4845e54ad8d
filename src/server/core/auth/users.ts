import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "@/server/adapters/db";
import { AppError } from "../errors";
import { eventFor, type AuditLog, type CallContext } from "../audit/log";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords";
import { ROLES, type Role } from "./permissions";

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface UserView {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

export async function createUser(audit: AuditLog, call: CallContext, input: { email: string; role: Role; password: string; name?: string }): Promise<UserView> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new AppError("BAD_REQUEST", `"${input.email}" is not an email address.`);
  if (!(ROLES as readonly string[]).includes(input.role)) throw new AppError("BAD_REQUEST", `Role must be one of ${ROLES.join(", ")}.`);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError("BAD_REQUEST", `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  const passwordHash = await hashPassword(input.password);
  return audit.transact(async (tx, log) => {
    if (await tx.user.findUnique({ where: { email } })) throw new AppError("CONFLICT", `A user with email ${email} already exists.`);
    const user = await tx.user.create({ data: { email, role: input.role, passwordHash, name: input.name ?? null } });
    await log(eventFor(call, { action: "users.create", resourceType: "user", target: email, detail: { role: user.role } }));
    return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
  });
}

/** On a fresh install: an admin with a generated password, returned once to be printed. */
export async function ensureFirstAdmin(db: Db, audit: AuditLog): Promise<{ email: string; password: string } | null> {
  if ((await db.user.count()) > 0) return null;
  const password = randomBytes(12).toString("base64url");
  const call: CallContext = { actor: { type: "system", id: "first-run" }, requestId: randomUUID(), surface: "system" };
  try {
    const user = await createUser(audit, call, { email: "admin@localhost", role: "admin", password });
    return { email: user.email, password };
  } catch (err) {
    if (err instanceof AppError && err.code === "CONFLICT") return null; // another instance won the race
    throw err;
  }
}

/** Email + password sign-in; null on any mismatch, without saying which part was wrong. */
export async function verifyCredentials(db: Db, email: string, password: string) {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : false;
  return ok && user && !user.disabledAt ? user : null;
}
