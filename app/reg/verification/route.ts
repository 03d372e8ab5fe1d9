import { callerAs } from "@/server/caller";
import { json, route } from "@/server/http/route";
import { verificationRequestSchema } from "@/server/kyc/schemas";
import { getVerificationState, startVerification } from "@/server/kyc/verification";
import { authenticateClient } from "@/server/tokens/bearer";

/** Starts (or continues) the client's identity verification: an SDK access token for their applicant. */
export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  // The body only names the provider, and one is offered: checked, nothing more to pass on.
  await ctx.body(verificationRequestSchema);
  return json(
    await startVerification(callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId })),
  );
});

/** The client's current verification state. */
export const GET = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  return json(
    await getVerificationState(callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId })),
  );
});

export { OPTIONS } from "@/server/http/preflight";
