"use server";

import { signOut } from "@/server/auth/next-auth";

/** The dashboard's Sign out button: next-auth clears the cookie and its signOut event revokes the session row. */
export async function signOutAction() {
  await signOut({ redirectTo: "/login" });
}
