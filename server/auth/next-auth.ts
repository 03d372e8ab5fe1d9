import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { config } from "../../env";
import type { Caller } from "../caller";
import { currentClientAddress } from "../http/client-address";
import { signInSchema } from "../staff/schemas";
import { endStaffSession, legacySessionId, STAFF_SESSION_SECONDS } from "../staff/sessions";
import { recordRejectedSignIn, signInStaff, type SignInFailure } from "../staff/sign-in";

class StaffSignInError extends CredentialsSignin {
  constructor(reason: SignInFailure) {
    super();
    this.code = reason;
  }
}

/** The session row a cookie names: its `sid`, or for a cookie from before session rows, the row migration 0010 made for it. */
function sessionIdOf(token: { sub?: string; sid?: unknown; sv?: unknown }): string | undefined {
  if (typeof token.sid === "string") return token.sid;
  if (token.sub && typeof token.sv === "number") return legacySessionId(token.sub, token.sv);
  return undefined;
}

function authConfig(): NextAuthConfig {
  const c = config();
  return {
    secret: c.authSecret,
    trustHost: true,
    // Decided by the public URL, not by the request: behind a proxy that terminates TLS without
    // X-Forwarded-Proto the request looks like http, and the cookies would lose Secure and their prefix.
    useSecureCookies: new URL(c.APP_URL).protocol === "https:",
    session: { strategy: "jwt", maxAge: STAFF_SESSION_SECONDS },
    pages: { signIn: "/login" },
    providers: [
      Credentials({
        credentials: { email: {}, password: {}, totp: {} },
        async authorize(raw, request) {
          // Nobody until the password (and code) prove who it is; sign-in has no request id of ours.
          const caller: Caller = {
            actor: { type: "anonymous" },
            ip: currentClientAddress(),
            requestId: null,
            userAgent: request.headers.get("user-agent"),
          };
          const parsed = signInSchema.safeParse(raw);
          if (!parsed.success) {
            await recordRejectedSignIn(caller);
            throw new StaffSignInError("invalid");
          }
          const result = await signInStaff(caller, parsed.data);
          if (!result.ok) throw new StaffSignInError(result.reason);
          return {
            id: result.staff.id,
            email: result.staff.email,
            name: result.staff.name,
            sessionId: result.staff.sessionId,
          };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        // Only the identity and the session row's id travel in the cookie; the row, the role and
        // the account's state are read from the database on every request (server/auth/session.ts).
        if (user) {
          token.sub = user.id;
          token.sid = (user as { sessionId?: string }).sessionId;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub ?? "" }, sessionId: sessionIdOf(token) ?? "" };
      },
    },
    events: {
      // Both ways of signing out — the dashboard's button (a server action calling signOut) and a
      // POST to /api/auth/signout — end here, so a copy of the cookie dies with the session row.
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        const sessionId = token ? sessionIdOf(token) : undefined;
        if (token?.sub && sessionId) await endStaffSession({ sessionId, staffId: token.sub });
      },
    },
    logger: {
      // Auth.js logs failed credentials as errors; the audit log records them instead. Its
      // `type` is inherited by StaffSignInError, while `name` is the subclass's (and minifiable).
      error: (error) => {
        if ((error as { type?: string }).type !== "CredentialsSignin")
          console.error(`[auth] ${error.name}: ${error.message}`);
      },
      warn: () => undefined,
      debug: () => undefined,
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());
