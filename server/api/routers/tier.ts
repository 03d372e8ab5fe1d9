import { createTierSchema, moveTierSchema, tierTargetSchema, updateTierSchema } from "../../billing/schemas";
import {
  createTier,
  getTierWithSubscribers,
  listPartnerTiers,
  moveTier,
  setTierArchived,
  updateTier,
} from "../../billing/tiers";
import { partnerTargetSchema } from "../../partners/schemas";
import { router, staffProcedure } from "../trpc";

/** Subscription tiers: every role; a KAM only for the partners they own (the services check the scope). */
export const tierRouter = router({
  list: staffProcedure.input(partnerTargetSchema).query(({ ctx, input }) => listPartnerTiers(ctx.caller, input)),
  get: staffProcedure.input(tierTargetSchema).query(({ ctx, input }) => getTierWithSubscribers(ctx.caller, input)),
  create: staffProcedure.input(createTierSchema).mutation(({ ctx, input }) => createTier(ctx.caller, input)),
  update: staffProcedure.input(updateTierSchema).mutation(({ ctx, input }) => updateTier(ctx.caller, input)),
  archive: staffProcedure
    .input(tierTargetSchema)
    .mutation(({ ctx, input }) => setTierArchived(ctx.caller, { ...input, archived: true })),
  restore: staffProcedure
    .input(tierTargetSchema)
    .mutation(({ ctx, input }) => setTierArchived(ctx.caller, { ...input, archived: false })),
  move: staffProcedure.input(moveTierSchema).mutation(({ ctx, input }) => moveTier(ctx.caller, input)),
});
