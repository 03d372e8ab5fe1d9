"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/server/auth/callback-path";
import { signIn } from "@/server/auth/next-auth";

/** What the login form shows after a refused attempt. */
export interface SignInState {
  message?: string;
  /** Show the authentication code field: the password was right and a code is needed (or was wrong). */
  needsTotp?: boolean;
  /** The address typed, so a form posted without JavaScript comes back with it filled in. */
  email?: string;
}

// One message for a wrong email, a wrong password and a locked account alike: the form must not
// tell a stranger which accounts exist. It says that failures pause sign-in, for the owner's sake.
const messages: Record<string, string> = {
  invalid:
    "The email or password is not correct. After repeated failures, sign-in pauses for a few minutes; an admin can lift the pause.",
  totp_required: "Enter the 6-digit code from your authenticator app.",
  totp_invalid: "That code is not correct. Check your authenticator app and try again.",
};

/**
 * The login form's action: next-auth's credentials sign-in run on the server
 * (the same `authorize` as /api/auth/callback/credentials, so the same
 * lockout, audit and TOTP checks), then a redirect to the page asked for, a
 * path on this site only. Posted with or without JavaScript; a cross-site post
 * is refused before it gets here (proxy.ts), and Next.js checks the origin of
 * every server action too.
 */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = textOf(form, "email");
  try {
    await signIn("credentials", {
      redirect: false,
      email,
      password: textOf(form, "password"),
      totp: textOf(form, "totp"),
    });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    // Anything but a refusal of the credentials (the hasher busy, the database down) is logged by
    // next-auth's logger and answered as a wrong password, as the client-side sign-in did.
    const code = error instanceof CredentialsSignin ? error.code : "invalid";
    const needsTotp = code === "totp_required" || code === "totp_invalid" || form.has("totp");
    return { message: messages[code] ?? messages.invalid, needsTotp, email };
  }
  redirect(safeCallbackPath(form.get("callbackUrl")));
}

/** A text field's value; a file (which no field here is) counts as empty. */
function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
