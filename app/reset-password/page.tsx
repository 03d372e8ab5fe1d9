import type { Metadata } from "next";
import { ResetPasswordForm } from "./reset-password-form";

export const metadata: Metadata = { title: "Choose a new password" };

const one = (v: string | string[] | undefined) => (typeof v === "string" && v.length > 0 ? v : undefined);

/**
 * The landing page of a password reset link (server/registration/password-reset.ts
 * builds it): the token, the partner and the client's API flavour come in the
 * address, the new password from the form, and the flavour's reset endpoint
 * decides. Nothing happens on opening the link.
 */
export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const token = one(params.token);
  const partnerId = one(params.partnerId);
  const flavour = one(params.flavour) === "partner" ? "partner" : "white-label";
  return (
    <main className="mx-auto max-w-md px-6 py-20">
      <h1 className="text-2xl font-semibold tracking-tight">Choose a new password</h1>
      {token && partnerId && /^\d{1,10}$/.test(partnerId) ? (
        <ResetPasswordForm token={token} partnerId={partnerId} flavour={flavour} />
      ) : (
        <p className="mt-4 text-slate-700">
          This link is incomplete. Open the link from the email again, or ask for a new one in the app.
        </p>
      )}
    </main>
  );
}
