import type { Metadata } from "next";
import { PageHeader } from "../../../../_components/ui";
import { ChangePasswordForm } from "./change-password-form";
import { TotpSetup } from "./totp-setup";

export const metadata: Metadata = { title: "Account security" };

export default function AccountSecurityPage() {
  return (
    <div className="max-w-2xl space-y-8">
      <PageHeader
        title="Account security"
        description="Two-factor authentication with an authenticator app (TOTP), and your password."
      />
      <TotpSetup />
      <ChangePasswordForm />
    </div>
  );
}
