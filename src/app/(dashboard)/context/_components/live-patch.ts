/**
 * Applies a live put or delete to the loaded pages of a scope's listing (keys in byte order), so the
 * table changes in place without a refetch. Returns null when the event cannot be applied locally.
 */
export interface LiveEntry {
  key: string;
  version: number;
}
export interface LiveEvent<E extends LiveEntry> {
  type: "put" | "delete";
  key: string;
  entry?: E;
}
interface Pages<E> {
  pages: { items: E[]; nextCursor: string | null }[];
  pageParams: unknown[];
}

export function applyLiveEvent<E extends LiveEntry, D extends Pages<E>>(data: D | undefined, event: LiveEvent<E>, prefix = ""): D | undefined | null {
  if (!data) return data;
  const without = (items: E[]) => items.filter((e) => e.key !== event.key);
  if (event.type === "delete") return { ...data, pages: data.pages.map((p) => ({ ...p, items: without(p.items) })) };
  const entry = event.entry;
  if (!entry) return null;
  const found = data.pages.some((p) => p.items.some((e) => e.key === entry.key));
  if (found) {
    return {
      ...data,
      // an older event arriving late must not undo a newer version already shown
      pages: data.pages.map((p) => ({ ...p, items: p.items.map((e) => (e.key === entry.key && entry.version >= e.version ? entry : e)) })),
    };
  }
  if (!entry.key.startsWith(prefix)) return data;
  const at = data.pages.findIndex((p) => p.nextCursor === null || (p.items.length > 0 && entry.key <= p.items[p.items.length - 1]!.key));
  if (at === -1) return data; // beyond the loaded pages: it shows when the user loads more
  return {
    ...data,
    pages: data.pages.map((p, i) => (i === at ? { ...p, items: [...p.items, entry].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) } : p)),
  };
}
