import { assertInScope, type PartnerScope } from "../auth/policies";
import { requireActivePartner } from "../partners/lookup";
import type { WhiteLabelRegistrationInput } from "./schemas";
import { registerWhiteLabelClient } from "./white-label-registration";

export interface BackOfficeRegistration {
  scope: PartnerScope;
  partnerId: number;
  input: Omit<WhiteLabelRegistrationInput, "clientIp">;
  staff: { id: string };
  ip: string;
  requestId?: string | null;
}

/**
 * Staff register a client on a partner's behalf with master-key powers. It is
 * the same service as POST /api/public/register, so every rule (unique email,
 * password policy, CHECKING account, email confirmation, audit) is written once;
 * a staff actor skips the captcha and quotas and is recorded as the creator.
 */
export async function registerClientForPartner(o: BackOfficeRegistration): Promise<{ clientId: string }> {
  assertInScope(o.scope, o.partnerId);
  const partner = await requireActivePartner(o.partnerId);
  // The service opens a first session for the new client as the public API does;
  // nobody receives it here, so only the client id goes back.
  const { clientId } = await registerWhiteLabelClient({
    partner,
    input: o.input,
    privileged: true,
    actor: { type: "staff", id: o.staff.id },
    meta: { ip: o.ip, requestId: o.requestId ?? null, userAgent: null },
  });
  return { clientId };
}
