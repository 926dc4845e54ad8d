import { openApiDocumentFor } from "@/server/api/rest";

export const dynamic = "force-dynamic";
export const GET = openApiDocumentFor;
