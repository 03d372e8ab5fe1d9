import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { config } from "../config";
import { currentClientAddress } from "../http/client-address";
import { recordRejectedSignIn, signInStaff, type SignInFailure } from "../staff/sign-in";

class StaffSignInError extends CredentialsSignin {
  constructor(reason: SignInFailure) {
    super();
    this.code = reason;
  }
}

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(256),
  totp: z
    .string()
    .trim()
    .max(10)
    .optional()
    .transform((v) => (v ? v : undefined)),
});

export const STAFF_SESSION_SECONDS = 8 * 60 * 60;

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
        async authorize(raw) {
          const ip = currentClientAddress();
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) {
            await recordRejectedSignIn({ ip });
            throw new StaffSignInError("invalid");
          }
          const result = await signInStaff({ ...parsed.data, ip });
          if (!result.ok) throw new StaffSignInError(result.reason);
          return { id: result.staff.id, email: result.staff.email, name: result.staff.name, sessionVersion: result.staff.sessionVersion };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        // Only the identity and session version travel in the cookie; role and
        // state are read from the database on every request (server/auth/session.ts).
        if (user) {
          token.sub = user.id;
          token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 1;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub ?? "" }, sessionVersion: typeof token.sv === "number" ? token.sv : 0 };
      },
    },
    logger: {
      // Auth.js logs failed credentials as errors; the audit log records them instead. Its
      // `type` is inherited by StaffSignInError, while `name` is the subclass's (and minifiable).
      error: (error) => {
        if ((error as { type?: string }).type !== "CredentialsSignin") console.error(`[auth] ${error.name}: ${error.message}`);
      },
      warn: () => undefined,
      debug: () => undefined,
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());
