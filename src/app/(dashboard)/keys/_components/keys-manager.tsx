"use client";

import { useState } from "react";
import type { RouterOutputs } from "../../../_trpc/client";
import { CreateKeyForm } from "./create-key-form";
import { KeyList } from "./key-list";
import { NewKeyNotice } from "./new-key-notice";

export type KeyView = RouterOutputs["keys"]["list"]["items"][number];

/** Create a key (its plaintext shown once), list and revoke. */
export function KeysManager() {
  const [created, setCreated] = useState<{ key: string; record: KeyView } | null>(null);
  const [creating, setCreating] = useState(false);
  return (
    <div className="space-y-6">
      {created ? (
        <NewKeyNotice created={created} onDone={() => setCreated(null)} />
      ) : creating ? (
        <CreateKeyForm
          onCreated={(c) => {
            setCreated(c);
            setCreating(false);
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
      <KeyList onCreate={created || creating ? undefined : () => setCreating(true)} highlight={created?.record.prefix} />
    </div>
  );
}
