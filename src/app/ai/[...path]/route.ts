import { handleRest } from "@/server/api/rest";

export const dynamic = "force-dynamic";
export const GET = handleRest;
export const HEAD = handleRest;
export const POST = handleRest;
export const PUT = handleRest;
export const PATCH = handleRest;
export const DELETE = handleRest;
export const OPTIONS = handleRest;
