import { createPartner } from "../../partners/create";
import { getPartnerHosts, setPartnerHosts } from "../../partners/hosts";
import { listPartnerOptions, listPartners } from "../../partners/list";
import { getPartner } from "../../partners/lookup";
import { reassignPartnerOwner } from "../../partners/ownership";
import { updatePartnerSettings } from "../../partners/settings";
import { partnerHostsInputSchema } from "../../partners/origins";
import { reactivatePartner, suspendPartner } from "../../partners/status";
import { createPartnerSchema, partnerStatusChangeSchema, partnerTargetSchema, reassignPartnerSchema, updatePartnerSchema } from "../../partners/schemas";
import { adminProcedure, procedureFor, router, staffProcedure } from "../trpc";

/** The Partners page is for KAMs (their own partners) and admins; operations pick partners from `options` only. */
const managerProcedure = procedureFor("admin", "kam");

export const partnerRouter = router({
  options: staffProcedure.query(({ ctx }) => listPartnerOptions(ctx.scope)),
  list: managerProcedure.query(({ ctx }) => listPartners(ctx.scope)),
  get: managerProcedure.input(partnerTargetSchema).query(({ ctx, input }) => getPartner({ staff: ctx.staff, partnerId: input.partnerId })),
  create: managerProcedure.input(createPartnerSchema).mutation(({ ctx, input }) => createPartner({ by: ctx.staff, input, ip: ctx.ip, requestId: ctx.requestId })),
  update: managerProcedure.input(updatePartnerSchema).mutation(({ ctx, input }) => updatePartnerSettings({ staff: ctx.staff, input, ip: ctx.ip, requestId: ctx.requestId })),
  suspend: managerProcedure.input(partnerStatusChangeSchema).mutation(({ ctx, input }) => suspendPartner({ staff: ctx.staff, input, ip: ctx.ip, requestId: ctx.requestId })),
  reactivate: managerProcedure.input(partnerStatusChangeSchema).mutation(({ ctx, input }) => reactivatePartner({ staff: ctx.staff, input, ip: ctx.ip, requestId: ctx.requestId })),
  reassign: adminProcedure.input(reassignPartnerSchema).mutation(({ ctx, input }) => reassignPartnerOwner({ staff: ctx.staff, input, ip: ctx.ip, requestId: ctx.requestId })),
  hosts: managerProcedure.input(partnerTargetSchema).query(({ ctx, input }) => getPartnerHosts(ctx.caller, input)),
  setHosts: managerProcedure.input(partnerHostsInputSchema).mutation(({ ctx, input }) => setPartnerHosts(ctx.caller, input)),
});
