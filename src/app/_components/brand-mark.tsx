/** The product mark: a node graph in a rounded square. Decorative; the name sits beside it. */
export function BrandMark({ className = "h-8 w-8" }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden="true">
      <rect width="32" height="32" rx="8" className="fill-indigo-600" />
      <path d="M10 11l6 5m0 0l6-5m-6 5v6" stroke="white" strokeWidth="2" strokeLinecap="round" fill="none" />
      <circle cx="10" cy="11" r="2.5" fill="white" />
      <circle cx="22" cy="11" r="2.5" fill="white" />
      <circle cx="16" cy="22" r="2.5" fill="white" />
    </svg>
  );
}
