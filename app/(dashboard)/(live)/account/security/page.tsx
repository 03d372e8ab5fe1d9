import type { Metadata } from "next";
import { TotpSetup } from "./totp-setup";

export const metadata: Metadata = { title: "Account security" };

export default function AccountSecurityPage() {
  return <TotpSetup />;
}
