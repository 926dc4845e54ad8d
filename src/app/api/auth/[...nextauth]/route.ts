import NextAuth from "next-auth";
import { authOptions, withSignInRetryAfter } from "@/server/api/session";

export const dynamic = "force-dynamic";

async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return withSignInRetryAfter(req, await NextAuth(authOptions())(req, ctx));
}
export { handler as GET, handler as POST };
