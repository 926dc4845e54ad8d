import type { ReactNode } from "react";
import { TRPCReactProvider } from "./_trpc/client";

/**
 * Client-side providers for every page. next-auth's SessionProvider is left out on purpose:
 * pages get the session on the server, and signIn/signOut do not need it.
 */
export function Providers({ children }: { children: ReactNode }) {
  return <TRPCReactProvider>{children}</TRPCReactProvider>;
}
