"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../_trpc/client";

export interface ActorRef {
  type: string;
  id: string;
}

export interface ActorLabel {
  name: string;
  kind: string;
}

const KIND: Record<string, string> = { api_key: "API key", user: "User", system: "System" };

/**
 * Context records name users by id; the dashboard shows their email (from the audit log's user
 * directory), "you" for the viewer, and an API key by its client.
 */
export function useActorLabels(refs: ActorRef[], me?: { id: string; email: string }): (ref: ActorRef) => ActorLabel {
  const trpc = useTRPC();
  const ids = [...new Set(refs.filter((r) => r.type === "user" && r.id !== me?.id).map((r) => r.id))].sort().slice(0, 100);
  const names = useQuery({ ...trpc.audit.userNames.queryOptions({ ids }), enabled: ids.length > 0, staleTime: 5 * 60_000 });
  const emails = new Map((names.data?.users ?? []).map((u) => [u.id, u.email]));
  return (ref) => {
    if (me && ref.type === "user" && ref.id === me.id) return { name: `you (${me.email})`, kind: "User" };
    if (ref.type === "user") return { name: emails.get(ref.id) ?? `user ${ref.id.slice(0, 8)}`, kind: "User" };
    return { name: ref.id, kind: KIND[ref.type] ?? ref.type };
  };
}
