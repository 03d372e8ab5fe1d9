import Link from "next/link";
import { redirect } from "next/navigation";
import { getStaffSession } from "@/server/auth/session";

// Who is signed in decides what this page is, so it is rendered per request.
export const dynamic = "force-dynamic";

/**
 * The front door: what Gatehouse is, the API's documents, and the way into the
 * back office. A staff member already signed in goes straight to the Overview
 * (whose layout sends one still enrolling in TOTP on to the account page); a
 * session that was revoked or has expired counts as signed out, as everywhere
 * else (getStaffSession checks it against the database).
 */
export default async function Home() {
  if (await getStaffSession()) redirect("/overview");
  return (
    <main className="mx-auto max-w-3xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Gatehouse</h1>
      <p className="mt-3 text-slate-600">
        Client onboarding for white-label fintech partners: registration, email confirmation, identity verification and
        subscriptions.
      </p>
      <ul className="mt-8 space-y-2">
        <li>
          <Link className="font-medium text-indigo-700 underline" href="/login">
            Staff sign in
          </Link>
          <span className="text-slate-600"> — the back office, for operations, key account managers and admins</span>
        </li>
        <li>
          <Link className="text-indigo-700 underline" href="/docs">
            API documentation
          </Link>
        </li>
        <li>
          <a className="text-indigo-700 underline" href="/api/openapi.json">
            OpenAPI 3.1 document
          </a>
        </li>
        <li>
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- an API endpoint (JSON), not a page of the app */}
          <a className="text-indigo-700 underline" href="/api/health">
            Health
          </a>
        </li>
      </ul>
    </main>
  );
}
