export function EmbeddedDefaults({ items }: { items: string[] }) {
  return (
    <section aria-labelledby="embedded-defaults-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="embedded-defaults-heading" className="text-sm font-semibold text-slate-900">
        Embedded defaults in use
      </h2>
      <p className="mt-1 text-xs text-slate-500">Built-in stand-ins, used because the real service is not configured.</p>
      {items.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">None: every service is configured.</p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100" data-testid="embedded-defaults">
          {items.map((item) => {
            const [label, ...rest] = item.split(": ");
            return (
              <li key={item} className="flex flex-col gap-0.5 py-2 text-sm sm:flex-row sm:gap-3">
                {rest.length > 0 ? (
                  <>
                    <span className="shrink-0 font-medium text-slate-700 sm:w-28">{label}</span>
                    <span className="min-w-0 break-words text-slate-600">{rest.join(": ")}</span>
                  </>
                ) : (
                  <span className="text-slate-600">{item}</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
