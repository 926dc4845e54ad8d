import type { RouterOutputs } from "../../../_trpc/client";

type Connection = RouterOutputs["connections"]["list"]["connections"][number];
type Layer = Connection["layer"];

/** Where each layer sits around the orchestrator (viewBox 640 × 320). */
const PLACES: Record<Layer, { x: number; y: number; title: string }> = {
  data: { x: 20, y: 20, title: "Data" },
  code: { x: 450, y: 20, title: "Code" },
  ai: { x: 450, y: 200, title: "AI" },
  hosting: { x: 20, y: 200, title: "Hosting" },
  notify: { x: 235, y: 230, title: "Notify" },
};
const BOX = { w: 170, h: 86 };
const CENTRE = { x: 320, y: 130 };
const SHOWN = 3;

const DOT: Record<Connection["state"], string> = { up: "#10b981", down: "#ef4444", unchecked: "#f59e0b", not_configured: "#94a3b8" };

function layerState(items: Connection[]): "down" | "up" | "unchecked" | "none" {
  const configured = items.filter((c) => c.configured);
  if (configured.length === 0) return "none";
  if (configured.some((c) => c.state === "down")) return "down";
  if (configured.every((c) => c.state === "up")) return "up";
  return "unchecked";
}

const EDGE: Record<ReturnType<typeof layerState>, string> = { up: "#10b981", down: "#ef4444", unchecked: "#f59e0b", none: "#cbd5e1" };

/** How the layers connect: the orchestrator in the centre, a box per layer, each connection a dot by state. */
export function LayerMap({ connections }: { connections: Connection[] }) {
  // what needs a look first: a layer with more connections than fit shows the down ones
  const order: Record<Connection["state"], number> = { down: 0, unchecked: 1, up: 2, not_configured: 3 };
  const layers = (Object.keys(PLACES) as Layer[]).map((layer) => ({
    layer,
    items: connections.filter((c) => c.layer === layer).sort((a, b) => order[a.state] - order[b.state]),
  }));
  return (
    <figure className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="layer-map">
      <figcaption className="mb-2 text-sm font-semibold text-slate-900">How the layers connect</figcaption>
      <svg viewBox="0 0 640 320" className="h-auto w-full" role="img" aria-label="Map of the orchestrator and its connections by layer">
        {layers.map(({ layer, items }) => {
          const p = PLACES[layer];
          const state = layerState(items);
          return (
            <line
              key={`edge-${layer}`}
              x1={CENTRE.x}
              y1={CENTRE.y + 25}
              x2={p.x + BOX.w / 2}
              y2={p.y + BOX.h / 2}
              stroke={EDGE[state]}
              strokeWidth={state === "none" ? 1.5 : 2.5}
              strokeDasharray={state === "none" ? "5 5" : undefined}
              data-testid={`map-edge-${layer}`}
              data-state={state}
            />
          );
        })}
        <g>
          <rect x={CENTRE.x - 80} y={CENTRE.y} width={160} height={50} rx={12} fill="#4f46e5" />
          <text x={CENTRE.x} y={CENTRE.y + 30} textAnchor="middle" fontSize={15} fontWeight={600} fill="#fff">
            Orchestrator
          </text>
        </g>
        {layers.map(({ layer, items }) => {
          const p = PLACES[layer];
          return (
            <g key={layer} data-testid={`map-layer-${layer}`}>
              <rect x={p.x} y={p.y} width={BOX.w} height={BOX.h} rx={10} fill="#fff" stroke="#cbd5e1" />
              <text x={p.x + 10} y={p.y + 18} fontSize={12} fontWeight={600} fill="#0f172a">
                {PLACES[layer].title}
              </text>
              {items.slice(0, SHOWN).map((c, i) => (
                <g key={c.id} data-testid={`map-node-${c.id}`} data-state={c.state}>
                  <title>{`${c.label}: ${c.state.replace("_", " ")}`}</title>
                  <circle cx={p.x + 15} cy={p.y + 34 + i * 16} r={4.5} fill={DOT[c.state]} />
                  <text x={p.x + 25} y={p.y + 38 + i * 16} fontSize={11} fill={c.configured ? "#334155" : "#94a3b8"}>
                    {c.label.length > 22 ? `${c.label.slice(0, 21)}…` : c.label}
                  </text>
                </g>
              ))}
              {items.length > SHOWN && (
                <text x={p.x + BOX.w - 10} y={p.y + 18} textAnchor="end" fontSize={11} fill="#64748b">
                  +{items.length - SHOWN} more
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
