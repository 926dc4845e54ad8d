import { notFound } from "@/server/api/http";

export const dynamic = "force-dynamic";
export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
