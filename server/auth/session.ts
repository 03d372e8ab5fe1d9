import { redirect } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { loadStaffForSession, type SignedInStaff } from "../staff/sessions";
import { isRefusal, refusalRedirect, requireStaff } from "./guard";
import { auth } from "./next-auth";

export type StaffSession = SignedInStaff;

/** What the session cookie names: a cookie from before session rows, or none at all, is no session. */
const cookieSession = z.object({ user: z.object({ id: z.uuid() }), sessionId: z.uuid() });

/**
 * The signed-in staff member, checked against the database on every request:
 * a session whose row was revoked (sign-out, a password change or reset,
 * deactivation, a role change, a TOTP reset) or has expired ends at once, and
 * the role is the one stored now. Within one server render (a page and its
 * layout both ask) the check runs once.
 */
export const getStaffSession = cache(async function getStaffSession(): Promise<StaffSession | undefined> {
  const session = cookieSession.safeParse(await auth());
  if (!session.success) return undefined;
  return loadStaffForSession({ staffId: session.data.user.id, sessionId: session.data.sessionId });
});

/**
 * For the back office's layout and pages: the signed-in staff member, after
 * the staff guard; a refused visitor is redirected to sign in (and back to
 * `path`) or to set up TOTP. The account pages stay open to a member who
 * must still enrol.
 */
export async function staffForPage(path: string): Promise<StaffSession> {
  const staff = requireStaff(await getStaffSession(), { path, allowWhileEnrolling: path.startsWith("/account") });
  if (isRefusal(staff)) redirect(refusalRedirect(staff));
  return staff;
}
