import { handleContextStream } from "@/server/api/context-stream";

export const dynamic = "force-dynamic";
export const GET = handleContextStream;
export const OPTIONS = handleContextStream;
