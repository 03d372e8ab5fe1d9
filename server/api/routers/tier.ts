import { createTierSchema, moveTierSchema, tierTargetSchema, updateTierSchema } from "../../billing/schemas";
import { createTier, getTierWithSubscribers, listPartnerTiers, moveTier, setTierArchived, updateTier } from "../../billing/tiers";
import { partnerTargetSchema } from "../../partners/schemas";
import { checkedInput } from "../checked-input";
import { router, staffActor, staffProcedure } from "../trpc";

/** Subscription tiers: every role; a KAM only for the partners they own (the services check the scope). */
export const tierRouter = router({
  list: staffProcedure.input(partnerTargetSchema).query(({ ctx, input }) => listPartnerTiers({ scope: ctx.scope, partnerId: input.partnerId })),
  get: staffProcedure.input(tierTargetSchema).query(({ ctx, input }) => getTierWithSubscribers({ scope: ctx.scope, tierId: input.tierId })),
  create: staffProcedure
    .input(checkedInput(createTierSchema))
    .mutation(({ ctx, input }) => createTier({ scope: ctx.scope, input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  update: staffProcedure
    .input(checkedInput(updateTierSchema))
    .mutation(({ ctx, input }) => updateTier({ scope: ctx.scope, input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  archive: staffProcedure
    .input(tierTargetSchema)
    .mutation(({ ctx, input }) => setTierArchived({ scope: ctx.scope, tierId: input.tierId, archived: true, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  restore: staffProcedure
    .input(tierTargetSchema)
    .mutation(({ ctx, input }) => setTierArchived({ scope: ctx.scope, tierId: input.tierId, archived: false, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  move: staffProcedure.input(moveTierSchema).mutation(({ ctx, input }) => moveTier({ scope: ctx.scope, ...input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
});
