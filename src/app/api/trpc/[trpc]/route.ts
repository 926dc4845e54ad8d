import { handleTrpc } from "@/server/api/trpc-handler";

export const dynamic = "force-dynamic";
export const GET = handleTrpc;
export const POST = handleTrpc;
