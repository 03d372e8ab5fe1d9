"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { ClientState } from "@/server/clients/schemas";
import type { VerificationStatus } from "../../../_components/vocabulary";

/**
 * The client page's changes, each through its procedure: operations staff and
 * admins only, within the partners the staff member may see, the input
 * checked there. The islands render the page again after each.
 */

const pathOf = (clientId: unknown) =>
  typeof clientId === "string" ? `/clients/${encodeURIComponent(clientId)}` : "/clients";

export async function setVerification(input: {
  clientId: string;
  verificationStatus: VerificationStatus;
  verificationLevel: number;
  reason: string;
}): Promise<ActionResult<{ verificationStatus: VerificationStatus; verificationLevel: number }>> {
  return runAction(
    async (api) => {
      const r = await api.client.setVerification(input);
      return { verificationStatus: r.verificationStatus, verificationLevel: r.verificationLevel };
    },
    { path: pathOf(input?.clientId) },
  );
}

export async function setState(input: {
  clientId: string;
  state: ClientState;
  reason: string;
}): Promise<ActionResult<{ profileState: ClientState; sessionsRevoked: number }>> {
  return runAction(
    async (api) => {
      const r = await api.client.setState(input);
      return { profileState: r.profileState, sessionsRevoked: r.sessionsRevoked };
    },
    { path: pathOf(input?.clientId) },
  );
}

/** Ends one session (`familyId`), or every session of the client. */
export async function revokeSession(input: { clientId: string; familyId?: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.client.revokeSession(input)), { path: pathOf(input?.clientId) });
}

/** The same reset email as the app's "forgot password"; the answer says only until when its link works. */
export async function sendPasswordReset(input: {
  clientId: string;
}): Promise<ActionResult<{ email: string; expiresAt: Date }>> {
  return runAction(
    async (api) => {
      const r = await api.client.sendPasswordReset(input);
      return { email: r.email, expiresAt: r.expiresAt };
    },
    { path: pathOf(input?.clientId) },
  );
}

/** Test money for a sandbox partner's client. */
export async function creditAccount(input: {
  clientId: string;
  amount: string;
  note: string;
}): Promise<ActionResult<{ amount: string; currency: string; balance: string }>> {
  return runAction(
    async (api) => {
      const r = await api.billing.credit(input);
      return { amount: r.amount, currency: r.currency, balance: r.balance };
    },
    { path: pathOf(input?.clientId) },
  );
}
