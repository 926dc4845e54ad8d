/** A JSON value, pretty-printed as text (never as HTML: it may hold anything a caller sent). */
export function JsonBlock({ value, testId }: { value: unknown; testId?: string }) {
  const text = value === null || value === undefined ? "null" : JSON.stringify(value, null, 2);
  return (
    <pre className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded-lg bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100" data-testid={testId}>
      {text}
    </pre>
  );
}
