"use client";

import { useEffect } from "react";

/** Calls `onEscape` when Escape is pressed anywhere on the page, while the component is mounted (dialogs and panels). */
export function useEscapeKey(onEscape: () => void) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onEscape();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onEscape]);
}
