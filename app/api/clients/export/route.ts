import { isRefusal, refusalError, requireStaff } from "@/server/auth/guard";
import { getStaffSession } from "@/server/auth/session";
import { callerAsStaff } from "@/server/caller";
import { exportSelectionSchema } from "@/server/clients/bulk-schemas";
import { recordClientExport, streamClientsCsv } from "@/server/clients/export";
import { clientFiltersSchema, filterParamsOf } from "@/server/clients/schemas";
import { csvResponse } from "@/server/http/csv-response";
import { isCrossSite } from "@/server/http/cross-site";
import { route } from "@/server/http/route";
import { config } from "@/env";
import { AppError } from "@/server/errors";

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

/**
 * POST /api/clients/export with {"clientIds": [...]} (at most 500): the clients
 * picked on the list, as CSV, within the staff member's partners (a KAM gets
 * only their own partners' clients; other ids are left out, not named).
 */
export const POST = route(async (ctx) => {
  if (isCrossSite(ctx.req, config().APP_URL)) throw new AppError("forbidden", "Cross-site requests are refused");
  const staff = requireStaff(await getStaffSession());
  if (isRefusal(staff)) throw refusalError(staff);
  const { clientIds } = await ctx.body(exportSelectionSchema);
  const filters = clientFiltersSchema.parse({});
  const caller = await callerAsStaff(ctx.caller, staff);
  await recordClientExport(caller, filters, clientIds);
  return csvResponse(streamClientsCsv(caller, filters, { ids: clientIds }), {
    name: "clients",
    requestId: ctx.caller.requestId,
  });
});
