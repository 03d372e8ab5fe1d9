import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { Notifications } from "../../../_components/notifications";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { ChangePasswordForm } from "./change-password-form";
import { TotpSetup } from "./totp-setup";

export const metadata: Metadata = { title: "Account security" };

/** The staff member's own TOTP and password: whether TOTP is on is read on the server through `account.security`. */
export default async function AccountSecurityPage() {
  const security = await loadPage("/account/security", (api) => api.account.security());
  return (
    <div className="max-w-2xl space-y-8">
      <PageHeader
        title="Account security"
        description="Two-factor authentication with an authenticator app (TOTP), and your password."
      />
      <Notifications />
      {security.ok ? (
        <TotpSetup enrolled={security.data.totpEnrolled} required={security.data.totpRequired} />
      ) : (
        <ErrorNotice>{security.message}</ErrorNotice>
      )}
      <ChangePasswordForm />
    </div>
  );
}
