import { checkHealth } from "@/server/health";
import { json, route } from "@/server/http/route";

export const GET = route(async () => {
  const health = await checkHealth();
  return json(health, health.database === "up" ? 200 : 503, health.database === "up" ? {} : { "retry-after": "5" });
});
