import { createPartner } from "../../partners/create";
import { getPartnerHosts, setPartnerHosts } from "../../partners/hosts";
import { listPartnerOptions, listPartners } from "../../partners/list";
import { getPartner } from "../../partners/lookup";
import { reassignPartnerOwner } from "../../partners/ownership";
import { updatePartnerSettings } from "../../partners/settings";
import { partnerHostsInputSchema } from "../../partners/origins";
import { reactivatePartner, suspendPartner } from "../../partners/status";
import {
  createPartnerSchema,
  partnerStatusChangeSchema,
  partnerTargetSchema,
  reassignPartnerSchema,
  updatePartnerSchema,
} from "../../partners/schemas";
import { adminProcedure, procedureFor, router, staffProcedure } from "../trpc";

/** The Partners page is for KAMs (their own partners) and admins; operations pick partners from `options` only. */
const managerProcedure = procedureFor("admin", "kam");

export const partnerRouter = router({
  options: staffProcedure.query(({ ctx }) => listPartnerOptions(ctx.caller)),
  list: managerProcedure.query(({ ctx }) => listPartners(ctx.caller)),
  get: managerProcedure.input(partnerTargetSchema).query(({ ctx, input }) => getPartner(ctx.caller, input)),
  create: managerProcedure.input(createPartnerSchema).mutation(({ ctx, input }) => createPartner(ctx.caller, input)),
  update: managerProcedure
    .input(updatePartnerSchema)
    .mutation(({ ctx, input }) => updatePartnerSettings(ctx.caller, input)),
  suspend: managerProcedure
    .input(partnerStatusChangeSchema)
    .mutation(({ ctx, input }) => suspendPartner(ctx.caller, input)),
  reactivate: managerProcedure
    .input(partnerStatusChangeSchema)
    .mutation(({ ctx, input }) => reactivatePartner(ctx.caller, input)),
  reassign: adminProcedure
    .input(reassignPartnerSchema)
    .mutation(({ ctx, input }) => reassignPartnerOwner(ctx.caller, input)),
  hosts: managerProcedure.input(partnerTargetSchema).query(({ ctx, input }) => getPartnerHosts(ctx.caller, input)),
  setHosts: managerProcedure
    .input(partnerHostsInputSchema)
    .mutation(({ ctx, input }) => setPartnerHosts(ctx.caller, input)),
});
