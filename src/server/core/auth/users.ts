import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "@/server/adapters/db";
import { AppError } from "../errors";
import { eventFor, type AuditLog, type CallContext } from "../audit/log";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./passwords";
import { ROLES, type Role } from "./permissions";

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface UserView {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

/** `githubId` is the numeric GitHub account id the user may sign in with (GitHub sign-in matches it, never the login). */
export async function createUser(audit: AuditLog, call: CallContext, input: { email: string; role: Role; password: string; name?: string; githubId?: string }): Promise<UserView> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new AppError("BAD_REQUEST", `"${input.email}" is not an email address.`);
  if (!(ROLES as readonly string[]).includes(input.role)) throw new AppError("BAD_REQUEST", `Role must be one of ${ROLES.join(", ")}.`);
  if (input.githubId !== undefined && !/^\d{1,20}$/.test(input.githubId))
    throw new AppError("BAD_REQUEST", "The GitHub id is the account's number (https://api.github.com/users/<login> shows it as id), not its login.");
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError("BAD_REQUEST", `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  const passwordHash = await hashPassword(input.password);
  return audit.transact(async (tx, log) => {
    if (await tx.user.findUnique({ where: { email } })) throw new AppError("CONFLICT", `A user with email ${email} already exists.`);
    if (input.githubId && (await tx.user.findUnique({ where: { githubId: input.githubId } }))) throw new AppError("CONFLICT", `GitHub account ${input.githubId} already belongs to another user.`);
    const user = await tx.user.create({ data: { email, role: input.role, passwordHash, name: input.name ?? null, githubId: input.githubId ?? null } });
    await log(eventFor(call, { action: "users.create", resourceType: "user", target: email, detail: { role: user.role, ...(user.githubId ? { githubId: user.githubId } : {}) } }));
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
    // another instance starting at the same time on the same fresh database won the race (checked, or at the unique index)
    if ((err instanceof AppError && err.code === "CONFLICT") || (err as { code?: string }).code === "P2002") return null;
    throw err;
  }
}
