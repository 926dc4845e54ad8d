/**
 * GPT Actions refuse response bodies of 100,000 characters or more: a page is cut to fit a
 * character budget, and the caller follows `nextCursor` for the rest.
 */
export const RESPONSE_BUDGET_CHARS = 90_000;

export function fitToBudget<T>(items: T[], budget = RESPONSE_BUDGET_CHARS): { items: T[]; cut: boolean } {
  let used = 200; // the envelope
  const out: T[] = [];
  for (const item of items) {
    used += JSON.stringify(item).length + 1;
    if (used > budget && out.length > 0) return { items: out, cut: true };
    out.push(item);
  }
  return { items: out, cut: false };
}
