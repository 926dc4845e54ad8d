import { redirect } from "next/navigation";
import { sessionActor } from "@/server/api/session";
import { BrandMark } from "../_components/brand-mark";
import { safeCallbackPath, signInErrorMessage } from "./callback-url";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackPath = safeCallbackPath(params.callbackUrl);
  if (await sessionActor()) redirect(callbackPath);

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <BrandMark className="h-11 w-11" />
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to Ops Orchestrator</h1>
          <p className="text-sm text-slate-500">Use the email and password an admin gave you.</p>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <SignInForm callbackPath={callbackPath} initialError={signInErrorMessage(params.error)} />
        </div>
        <p className="mt-6 text-center text-xs text-slate-500">First run? The admin password is printed once in the server log.</p>
      </div>
    </main>
  );
}
