import type { Metadata } from "next";
import { ConfirmEmailForm } from "./confirm-email-form";

export const metadata: Metadata = { title: "Confirm your email" };

/**
 * The landing page of the confirmation link. Confirming takes a click (a POST),
 * so mail scanners that open links do not confirm addresses on their own.
 */
export default async function ConfirmEmailPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  return (
    <main className="mx-auto max-w-md px-6 py-20">
      <h1 className="text-2xl font-semibold tracking-tight">Confirm your email</h1>
      {typeof token === "string" && token.length > 0 ? (
        <ConfirmEmailForm token={token} />
      ) : (
        <p className="mt-4 text-slate-700">
          This link is incomplete. Open the link from the email again, or ask for a new one in the app.
        </p>
      )}
    </main>
  );
}
