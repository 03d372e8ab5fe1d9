import { loadPage } from "@/server/api/server-caller";
import { isLocalDevelopmentOrigin } from "@/server/partners/origins";
import { Section } from "../../../_components/section";
import { HostsForm } from "./hosts-form";

/**
 * The partner page's "Hosts and browser origins": read on the server through
 * the partner.hosts procedure, changed by the HostsForm island through a
 * server action. A partner the staff member does not manage is the 404 page.
 */
export async function PartnerHostsSection({ partnerId }: { partnerId: number }) {
  const loaded = await loadPage(`/partners/${partnerId}`, (api) => api.partner.hosts({ partnerId }));
  return (
    <div className="mt-8 max-w-5xl">
      <Section
        id="hosts"
        title="Hosts and browser origins"
        description="A public API request sent to one of these hosts acts for this partner when it names no partner itself (no master key, no partnerId header); links in the partner's emails use the first host. Browser apps on the listed origins may call the public API (CORS). Every change is recorded in the audit log."
      >
        {loaded.ok ? (
          <HostsForm
            key={`${loaded.data.hosts.join(" ")}|${loaded.data.allowedOrigins.join(" ")}`}
            partnerId={partnerId}
            sandbox={loaded.data.sandbox}
            hosts={loaded.data.hosts}
            allowedOrigins={loaded.data.allowedOrigins}
            ignoredOrigins={loaded.data.sandbox ? [] : loaded.data.allowedOrigins.filter(isLocalDevelopmentOrigin)}
          />
        ) : (
          <p role="alert" className="text-sm text-rose-800">
            {loaded.kind === "forbidden"
              ? "Hosts and origins are managed by the partner's key account manager and by admins."
              : loaded.message}
          </p>
        )}
      </Section>
    </div>
  );
}
