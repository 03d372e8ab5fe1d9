import { AppError } from "../errors";
import type { SignedInStaff } from "../staff/sessions";
import type { Role } from "./policies";

/**
 * The one rule for reaching the back office: signed in, enrolled in TOTP when
 * the account requires it (until then only the account pages, where the
 * enrolment happens), and of a role the place allows. The tRPC kernel, the
 * dashboard layout, the Clients page and its action and the CSV exports all
 * ask it; each turns a refusal into its own kind of answer.
 */

export type StaffRefusal =
  /** `signIn` is the sign-in page, leading back to the path asked for. */
  | { kind: "signed-out"; message: string; signIn: string }
  | { kind: "must-enroll-totp"; message: string }
  | { kind: "forbidden"; message: string };

/** Where a staff member who must enrol in TOTP is sent, and the one place (with its procedures) they may use until then. */
const TOTP_ENROLMENT_PATH = "/account/security";

export interface StaffGuardOptions {
  /** The path to come back to after signing in (a page's path and query). */
  path?: string;
  /** The account pages and procedures, which a member still enrolling in TOTP may use. */
  allowWhileEnrolling?: boolean;
  /** The roles allowed; every role when omitted. */
  roles?: readonly Role[];
}

/** The staff member of `session` if they may go on, or why not. */
export function requireStaff(
  session: SignedInStaff | undefined,
  o: StaffGuardOptions = {},
): SignedInStaff | StaffRefusal {
  if (!session)
    return {
      kind: "signed-out",
      message: "Sign in first",
      signIn: o.path ? `/login?callbackUrl=${encodeURIComponent(o.path)}` : "/login",
    };
  if (session.mustEnrollTotp && !o.allowWhileEnrolling)
    return { kind: "must-enroll-totp", message: "Set up two-factor authentication first" };
  if (o.roles && !o.roles.includes(session.role))
    return { kind: "forbidden", message: "Your role does not allow this" };
  return session;
}

export function isRefusal(checked: SignedInStaff | StaffRefusal): checked is StaffRefusal {
  return "kind" in checked;
}

/** A refusal as the error services throw: 401 when signed out, 403 otherwise. */
export function refusalError(refusal: StaffRefusal): AppError {
  return new AppError(refusal.kind === "signed-out" ? "unauthorized" : "forbidden", refusal.message);
}

/** Where a page sends a refused visitor: to sign in, to TOTP enrolment, or (a role the page is not for) to the overview every role has. */
export function refusalRedirect(refusal: StaffRefusal): string {
  if (refusal.kind === "signed-out") return refusal.signIn;
  return refusal.kind === "must-enroll-totp" ? TOTP_ENROLMENT_PATH : "/overview";
}
