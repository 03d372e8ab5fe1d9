import { handlers } from "@/server/auth/next-auth";
import { observed } from "@/server/http/observe";

// Auth.js answers these itself; observed() gives them the request id, the histogram sample and the log line.
export const GET = observed("/api/auth/{...nextauth}", handlers.GET);
export const POST = observed("/api/auth/{...nextauth}", handlers.POST);
