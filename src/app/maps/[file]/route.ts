import { handleMap } from "@/server/api/maps";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ file: string }> }) {
  return handleMap(req, (await params).file);
}
