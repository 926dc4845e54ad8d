import { handlePrometheus } from "@/server/api/prometheus";

export const dynamic = "force-dynamic";
export const GET = handlePrometheus;
