import { cache } from "react";
import { auth } from "./next-auth";
import { loadStaffForSession, type SignedInStaff } from "../staff/sign-in";

export type StaffSession = SignedInStaff;

/**
 * The signed-in staff member, checked against the database on every request:
 * a deactivated account or a bumped session version ends the session at once,
 * and a changed role applies to the very next request. Within one server
 * render (a page and its layout both ask) the check runs once.
 */
export const getStaffSession = cache(async function getStaffSession(): Promise<StaffSession | undefined> {
  const session = (await auth()) as { user?: { id?: string }; sessionVersion?: number } | null;
  const id = session?.user?.id;
  if (!id || !session?.sessionVersion) return undefined;
  return loadStaffForSession(id, session.sessionVersion);
});
