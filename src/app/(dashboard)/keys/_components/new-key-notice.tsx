"use client";

import { useState } from "react";
import { btn } from "../../../_components/buttons";
import type { KeyView } from "./keys-manager";

/** The plaintext key, once: copy it now, it is stored only as a hash. */
export function NewKeyNotice({ created, onDone }: { created: { key: string; record: KeyView }; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <section className="rounded-xl border border-emerald-200 bg-emerald-50 p-5 shadow-sm" aria-labelledby="new-key-heading" data-testid="new-key">
      <h2 id="new-key-heading" className="text-sm font-semibold text-emerald-900">
        Key created for {created.record.clientId}
      </h2>
      <p className="mt-1 text-sm font-medium text-emerald-900">Copy it now: you won&apos;t see it again.</p>
      <p className="text-xs text-emerald-800">Only its hash is stored. If it is lost, revoke it and create another.</p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-center">
        <code className="min-w-0 flex-1 select-all break-all rounded-lg border border-emerald-300 bg-white px-3 py-2 font-mono text-sm text-slate-900" data-testid="new-key-value">
          {created.key}
        </code>
        <button type="button" onClick={() => void copy()} className={btn.primary} data-testid="copy-key">
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      {copied === "failed" && <p className="mt-2 text-xs text-red-700">The browser refused the clipboard: select the key and copy it by hand.</p>}
      <div className="mt-4 flex flex-wrap items-center gap-3 text-xs text-emerald-900">
        <span>
          Send it as <code className="font-mono">x-api-key</code> or <code className="font-mono">Authorization: Bearer</code>.
        </span>
        <button type="button" onClick={onDone} className={`${btn.secondary} ml-auto`}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
