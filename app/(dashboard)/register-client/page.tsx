import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { Notifications } from "../../_components/notifications";
import { ErrorNotice, PageHeader } from "../../_components/ui";
import { RegisterClientForm } from "./register-client-form";

export const metadata: Metadata = { title: "Register client" };

/** The form, with the partners to choose from read on the server through `partner.options`. */
export default async function RegisterClientPage() {
  const page = await loadPage("/register-client", async (api) => {
    const me = await api.account.me();
    return me.role === "kam" ? null : api.partner.options();
  });
  if (!page.ok || page.data === null) {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Register client" />
        <ErrorNotice>
          {page.ok ? "Key account managers cannot register clients; ask operations staff." : page.message}
        </ErrorNotice>
      </div>
    );
  }
  return (
    <>
      <Notifications />
      <RegisterClientForm
        partners={page.data.map((p) => ({ id: p.id, name: p.name, active: p.status === "active" }))}
      />
    </>
  );
}
