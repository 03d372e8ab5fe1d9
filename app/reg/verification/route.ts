import { json, route } from "@/server/http/route";
import { verificationRequestSchema } from "@/server/kyc/schemas";
import { getVerificationState, startVerification } from "@/server/kyc/verification";
import { authenticateClient } from "@/server/tokens/bearer";

/** Starts (or continues) the client's identity verification: an SDK access token for their applicant. */
export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  await ctx.body(verificationRequestSchema);
  return json(await startVerification({ client, meta: { ip: ctx.ip, requestId: ctx.requestId } }));
});

/** The client's current verification state. */
export const GET = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  return json(await getVerificationState(client.id));
});
