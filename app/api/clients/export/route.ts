import { isRefusal, refusalError, requireStaff } from "@/server/auth/guard";
import { partnerScopeOf } from "@/server/auth/policies";
import { getStaffSession } from "@/server/auth/session";
import { recordClientExport, streamClientsCsv } from "@/server/clients/export";
import { clientFiltersSchema, filterParamsOf } from "@/server/clients/schemas";
import { csvResponse } from "@/server/http/csv-response";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** GET /api/clients/export?…filters: the clients matching the back office's list filters, as CSV. */
export const GET = route(async (ctx) => {
  const staff = requireStaff(await getStaffSession());
  if (isRefusal(staff)) throw refusalError(staff);
  const parsed = clientFiltersSchema.safeParse(filterParamsOf(new URL(ctx.req.url).searchParams));
  if (!parsed.success) throw parsed.error;
  const scope = await partnerScopeOf(staff);
  await recordClientExport({ actor: { type: "staff", id: staff.id }, input: parsed.data, ip: ctx.ip, requestId: ctx.requestId });
  return csvResponse(streamClientsCsv({ scope, input: parsed.data }), { name: "clients", requestId: ctx.requestId });
});
