import { apiNotFound } from "@/server/http/not-found";

export const { GET, POST, PUT, PATCH, DELETE } = apiNotFound;
