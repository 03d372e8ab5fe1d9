import type { Metadata } from "next";
import { getStaffSession } from "@/server/auth/session";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { RegisterClientForm } from "./register-client-form";

export const metadata: Metadata = { title: "Register client" };

export default async function RegisterClientPage() {
  const staff = await getStaffSession();
  if (staff?.role === "kam") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Register client" />
        <ErrorNotice>Key account managers cannot register clients; ask operations staff.</ErrorNotice>
      </div>
    );
  }
  return <RegisterClientForm />;
}
