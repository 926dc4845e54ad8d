"use client";

import type { ReactNode } from "react";
import { useEscapeKey } from "./use-escape-key";

/** A dialog sliding in from the right over a dimmed page; a click outside or Escape closes it. */
export function SidePanel({ labelledBy, testId, onClose, children }: { labelledBy: string; testId: string; onClose: () => void; children: ReactNode }) {
  useEscapeKey(onClose);

  return (
    <div className="fixed inset-0 z-40 flex justify-end bg-slate-900/30" onClick={onClose}>
      <aside
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        className="flex h-full w-full max-w-xl flex-col overflow-hidden bg-white shadow-2xl"
        onClick={(e) => e.stopPropagation()}
        data-testid={testId}
      >
        {children}
      </aside>
    </div>
  );
}
