import { handleCron } from "@/server/api/cron";

export const dynamic = "force-dynamic";
// A job that runs in the cron call (runsInCron) must finish within this; long ones are only queued.
export const maxDuration = 60;

type Params = { params: Promise<{ job: string }> };
const handle = async (req: Request, { params }: Params) => handleCron(req, (await params).job);
export const GET = handle;
export const POST = handle;
