import { isRefusal, refusalError, requireStaff } from "@/server/auth/guard";
import { getStaffSession } from "@/server/auth/session";
import { callerAsStaff } from "@/server/caller";
import { recordClientExport, streamClientsCsv } from "@/server/clients/export";
import { clientFiltersSchema, filterParamsOf } from "@/server/clients/schemas";
import { csvResponse } from "@/server/http/csv-response";
import { route } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** GET /api/clients/export?…filters: the clients matching the back office's list filters, as CSV. */
export const GET = route(async (ctx) => {
  const staff = requireStaff(await getStaffSession());
  if (isRefusal(staff)) throw refusalError(staff);
  const filters = clientFiltersSchema.parse(filterParamsOf(new URL(ctx.req.url).searchParams));
  const caller = await callerAsStaff(ctx.caller, staff);
  await recordClientExport(caller, filters);
  return csvResponse(streamClientsCsv(caller, filters), { name: "clients", requestId: ctx.caller.requestId });
});
