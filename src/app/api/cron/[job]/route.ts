import { handleCron } from "@/server/api/cron";

export const dynamic = "force-dynamic";
// A probe run is bounded by PROBE_TIMEOUT_MS; leave room for storing it.
export const maxDuration = 60;

type Params = { params: Promise<{ job: string }> };
const handle = async (req: Request, { params }: Params) => handleCron(req, (await params).job);
export const GET = handle;
export const POST = handle;
