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
import { githubSignInUser, signInWithPassword, THROTTLED_ERROR_PREFIX } from "@/server/core/auth/sign-in";
import { getDeps } from "@/server/deps";

/**
 * Dashboard sign-in (next-auth): email + password always (throttled, audited: core/auth/sign-in.ts),
 * GitHub OAuth when configured (a GitHub account signs in only if an admin registered its numeric id
 * for a user). JWT sessions carry the user id; the role is re-read on every request (core/auth/resolve.ts).
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

/** The client IP for sign-in throttling, only from the header a trusted proxy sets (TRUSTED_IP_HEADER). */
function ipOf(headers: Record<string, unknown> | undefined, e: Env): string | null {
  if (!e.TRUSTED_IP_HEADER || !headers) return null;
  const value = headers[e.TRUSTED_IP_HEADER.toLowerCase()];
  return typeof value === "string" ? value.split(",")[0]!.trim().slice(0, 64) || null : null;
}

function buildAuthOptions(e: Env): NextAuthOptions {
  // next-auth v4 builds its redirects on NEXTAUTH_URL, else on http://localhost:3000 whatever port we run on.
  process.env.NEXTAUTH_URL ??= e.ORCHESTRATOR_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) return null;
        const deps = await getDeps();
        const result = await signInWithPassword(deps, { email: credentials.email, password: credentials.password, ip: ipOf(req.headers, e) });
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name ?? result.user.email };
        // next-auth passes a thrown message to the form as ?error=; the form says how long to wait
        if (result.reason === "throttled") throw new Error(`${THROTTLED_ERROR_PREFIX}${result.retryAfterSeconds}`);
        return null;
      },
    }),
  ];
  if (e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET) {
    providers.push(GitHubProvider({ clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET }));
  }
  return {
    secret: sessionSecret(e),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== "github") return true;
        const deps = await getDeps();
        return Boolean(await githubSignInUser(deps, profile as { id?: unknown; login?: unknown } | undefined, null));
      },
      async jwt({ token, user, account }) {
        if (account?.provider === "github") {
          // providerAccountId is GitHub's numeric account id, the one signIn matched
          const deps = await getDeps();
          const found = await deps.db.user.findUnique({ where: { githubId: account.providerAccountId } });
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

/**
 * next-auth answers 401 to every refused sign-in; a throttled one becomes 429 with Retry-After (the
 * form's fetch), or keeps its redirect with Retry-After beside it (a native form post).
 */
export async function withSignInRetryAfter(req: Request, res: Response): Promise<Response> {
  if (req.method !== "POST" || !new URL(req.url).pathname.endsWith("/callback/credentials")) return res;
  const location = res.headers.get("location");
  const target =
    location ??
    (
      (await res
        .clone()
        .json()
        .catch(() => null)) as { url?: string } | null
    )?.url;
  const error = target ? new URL(target, req.url).searchParams.get("error") : null;
  if (!error?.startsWith(THROTTLED_ERROR_PREFIX)) return res;
  const headers = new Headers(res.headers);
  headers.set("retry-after", error.slice(THROTTLED_ERROR_PREFIX.length));
  return new Response(res.body, { status: location ? res.status : 429, headers });
}
