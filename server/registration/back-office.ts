import type { z } from "zod";
import { assertInScope } from "../auth/policies";
import { scopeOf, staffOf, type Caller } from "../caller";
import { requireActivePartner } from "../partners/lookup";
import type { backOfficeRegistrationSchema } from "./schemas";
import { registerWhiteLabelClient } from "./white-label-registration";

/**
 * Staff register a client on a partner's behalf with master-key powers. It is
 * the same service as POST /api/public/register, so every rule (unique email,
 * password policy, CHECKING account, email confirmation, audit) is written once;
 * a staff caller skips the captcha and quotas and is recorded as the creator.
 */
export async function registerClientForPartner(
  caller: Caller,
  { partnerId, ...input }: z.output<typeof backOfficeRegistrationSchema>,
): Promise<{ clientId: string }> {
  staffOf(caller);
  assertInScope(scopeOf(caller), partnerId);
  const partner = await requireActivePartner(partnerId);
  // The service opens a first session for the new client as the public API does;
  // nobody receives it here, so only the client id goes back.
  const { clientId } = await registerWhiteLabelClient(caller, { partner, input });
  return { clientId };
}
