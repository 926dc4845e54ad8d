import { handleGitHubWebhook } from "@/server/api/github-webhook";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const POST = (req: Request) => handleGitHubWebhook(req);
