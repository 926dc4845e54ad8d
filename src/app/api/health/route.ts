/** Liveness for load balancers: touches no store, so it answers even when a dependency is down. */
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true });
}
