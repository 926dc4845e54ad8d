import { handleAdminCli } from "@/server/api/admin";

export const dynamic = "force-dynamic";
export const POST = handleAdminCli;
