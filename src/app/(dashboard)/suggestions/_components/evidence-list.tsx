import Link from "next/link";

interface Evidence {
  label: string;
  value: string | number;
  unit?: string;
  href?: string;
}

/** The numbers behind a finding, each with where it comes from: a dashboard page, GitHub, or the /ai/* read an agent would make. */
export function EvidenceList({ items }: { items: Evidence[] }) {
  return (
    <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-xs sm:grid-cols-2" data-testid="evidence">
      {items.map((e, i) => (
        <div key={`${e.label}-${i}`} className="flex min-w-0 gap-2">
          <dt className="shrink-0 text-slate-500">{e.label}</dt>
          <dd className="min-w-0 truncate font-medium text-slate-800">
            <EvidenceValue item={e} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function EvidenceValue({ item }: { item: Evidence }) {
  const text = `${item.value}${item.unit ? ` ${item.unit}` : ""}`;
  if (!item.href) return <>{text}</>;
  const cls = "text-indigo-600 hover:text-indigo-800 hover:underline";
  if (item.href.startsWith("http")) {
    return (
      <a href={item.href} target="_blank" rel="noreferrer noopener" className={cls}>
        {text} ↗
      </a>
    );
  }
  // /ai/* is the API (API keys only): shown as the read an agent would make, not as a link the session cannot follow
  if (item.href.startsWith("/ai/")) {
    return (
      <span title={`GET ${item.href}`}>
        {text} <code className="ml-1 rounded bg-slate-100 px-1 text-[10px] font-normal text-slate-500">{item.href}</code>
      </span>
    );
  }
  return (
    <Link href={item.href} className={cls}>
      {text}
    </Link>
  );
}
