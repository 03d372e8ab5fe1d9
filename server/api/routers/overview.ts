import { getFunnel } from "../../overview/funnel";
import { funnelInputSchema } from "../../overview/schemas";
import { router, staffProcedure } from "../trpc";

export const overviewRouter = router({
  funnel: staffProcedure.input(funnelInputSchema).query(({ ctx, input }) => getFunnel(ctx.caller, input)),
});
