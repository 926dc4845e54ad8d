/** A chart's key: one coloured square and its label per series (`swatch` is the square's Tailwind background class). */
export function ChartLegend({ items }: { items: { label: string; swatch: string }[] }) {
  return (
    <span className="flex items-center gap-3">
      {items.map((item) => (
        <span key={item.label} className="flex items-center gap-1">
          <span className={`h-2 w-2 rounded-sm ${item.swatch}`} aria-hidden="true" /> {item.label}
        </span>
      ))}
    </span>
  );
}
