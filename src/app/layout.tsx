import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

export const metadata = {
  title: { default: "Ops Orchestrator", template: "%s · Ops Orchestrator" },
  description: "Visibility and safe control over GitHub, AI assistants, hosting and WordPress.",
  icons: { icon: "/icon.svg", apple: "/icon.svg" },
};

export const viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
