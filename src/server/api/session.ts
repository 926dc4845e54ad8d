import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { env, type Env } from "@/env";
import type { Actor } from "@/server/core/auth/actor";
import { authenticateUser } from "@/server/core/auth/resolve";
import { verifyCredentials } from "@/server/core/auth/users";
import { getDeps } from "@/server/deps";

/**
 * Dashboard sign-in (next-auth): email + password always, GitHub OAuth when configured (a GitHub
 * user signs in only if an admin created a user with that GitHub login). JWT sessions carry the
 * user id; the role is re-read on every request (core/auth/resolve.ts).
 */
function sessionSecret(e: Env): string {
  if (e.NEXTAUTH_SECRET) return e.NEXTAUTH_SECRET;
  // Zero-config: a secret generated once and kept with the embedded data (set NEXTAUTH_SECRET when running several instances).
  const file = path.join(e.dataDir, "nextauth-secret");
  if (!existsSync(file)) {
    mkdirSync(e.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}

function buildAuthOptions(e: Env): NextAuthOptions {
  // next-auth v4 builds its redirects on NEXTAUTH_URL, else on http://localhost:3000 whatever port we run on.
  process.env.NEXTAUTH_URL ??= e.ORCHESTRATOR_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        if (!credentials?.email || !credentials.password) return null;
        const deps = await getDeps();
        const user = await verifyCredentials(deps.db, credentials.email, credentials.password);
        return user ? { id: user.id, email: user.email, name: user.name ?? user.email } : null;
      },
    }),
  ];
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) {
    providers.push(GitHubProvider({ clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET }));
  }
  return {
    secret: sessionSecret(e),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers,
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== "github") return true;
        const login = (profile as { login?: string } | undefined)?.login;
        if (!login) return false;
        const deps = await getDeps();
        return Boolean(await deps.db.user.findFirst({ where: { githubLogin: login, disabledAt: null } }));
      },
      async jwt({ token, user, account, profile }) {
        if (account?.provider === "github") {
          const deps = await getDeps();
          const login = (profile as { login?: string } | undefined)?.login;
          const found = login ? await deps.db.user.findFirst({ where: { githubLogin: login } }) : null;
          if (found) token.sub = found.id;
        } else if (user) {
          token.sub = user.id;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub } };
      },
    },
  };
}

let options: NextAuthOptions | undefined;
export function authOptions(): NextAuthOptions {
  return (options ??= buildAuthOptions(env()));
}

/** The signed-in dashboard user as an Actor, or null. */
export async function sessionActor(): Promise<Actor | null> {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  return authenticateUser((await getDeps()).db, id);
}
