import { apiNotFound } from "@/server/http/not-found";

export const { GET, POST, PUT, PATCH, DELETE } = apiNotFound;

export { OPTIONS } from "@/server/http/preflight";
