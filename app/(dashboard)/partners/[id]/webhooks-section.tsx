import { loadPage, type ProcedureOutputs } from "@/server/api/server-caller";
import { MAX_ENDPOINTS_PER_PARTNER, WEBHOOK_EVENT_TYPES } from "@/server/webhooks/schemas";
import { AutoRefresh } from "../../../_components/auto-refresh";
import { Badge } from "../../../_components/display";
import { PagedTable } from "../../../_components/paged-table";
import { Section, Th } from "../../../_components/section";
import { EmptyState } from "../../../_components/ui";
import { formatDateTime } from "../../../_components/vocabulary";
import { loadMoreDeliveries } from "./webhook-load-more";
import { AddWebhookForm } from "./webhook-add-form";
import { EndpointActions } from "./webhook-endpoint-actions";
import { DELIVERY_PAGE, deliveryRowsPage } from "./webhook-rows";

type Endpoint = ProcedureOutputs["webhook"]["list"][number];
type DeliveryPage = ProcedureOutputs["webhook"]["deliveries"];

/**
 * The partner page's "Webhooks": the partner's endpoints, read on the server
 * through the webhook procedures, each with its delivery log; the islands
 * add, change and remove endpoints and resend messages through server
 * actions. While anything waits for delivery the section renders itself
 * again every 10 seconds, so staff watch retries land.
 */
export async function PartnerWebhooksSection({ partnerId }: { partnerId: number }) {
  const path = `/partners/${partnerId}`;
  const loaded = await loadPage(path, async (api) => {
    const endpoints = await api.webhook.list({ partnerId });
    const logs = await Promise.all(
      endpoints.map((e) => api.webhook.deliveries({ endpointId: e.id, limit: DELIVERY_PAGE })),
    );
    return endpoints.map((endpoint, i) => ({ endpoint, log: logs[i]! }));
  });
  return (
    <div className="mt-8 max-w-5xl">
      <Section
        id="webhooks"
        title="Webhooks"
        description="Gatehouse POSTs the partner's events (registrations, verification, KYC decisions, subscriptions, payments) to these URLs as they happen, signed as Standard Webhooks describes. A delivery that fails is retried for 72 hours; an endpoint failing for 5 days is disabled and you are emailed. Every change is recorded in the audit log."
      >
        {!loaded.ok ? (
          <p role="alert" className="text-sm text-rose-800">
            {loaded.kind === "forbidden"
              ? "Webhooks are managed by the partner's key account manager and by admins."
              : loaded.message}
          </p>
        ) : (
          <div className="space-y-6">
            {loaded.data.some(({ endpoint }) => endpoint.waiting > 0) && <AutoRefresh seconds={10} />}
            <AddWebhookForm
              partnerId={partnerId}
              eventTypes={WEBHOOK_EVENT_TYPES}
              full={loaded.data.length >= MAX_ENDPOINTS_PER_PARTNER}
            />
            {loaded.data.length === 0 ? (
              <EmptyState title="No webhook endpoints yet">
                Add the partner&apos;s URL above; its events are sent from then on.
              </EmptyState>
            ) : (
              loaded.data.map(({ endpoint, log }) => (
                <EndpointCard key={endpoint.id} partnerId={partnerId} endpoint={endpoint} log={log} />
              ))
            )}
          </div>
        )}
      </Section>
    </div>
  );
}

function EndpointState({ endpoint }: { endpoint: Endpoint }) {
  if (endpoint.enabled) return <Badge tone="green">Enabled</Badge>;
  return endpoint.disabledReason === "failing" ? (
    <Badge tone="rose">Disabled: failing for 5 days</Badge>
  ) : (
    <Badge tone="grey">Disabled</Badge>
  );
}

function EndpointCard({ partnerId, endpoint, log }: { partnerId: number; endpoint: Endpoint; log: DeliveryPage }) {
  const headingId = `webhook-${endpoint.id}`;
  return (
    <section aria-labelledby={headingId} className="rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={headingId} className="break-all font-mono text-sm font-semibold text-slate-900">
            {endpoint.url}
          </h3>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600">
            <EndpointState endpoint={endpoint} />
            <span>{endpoint.eventTypes.length === 0 ? "Every event" : endpoint.eventTypes.join(", ")}</span>
            <span>
              · {endpoint.waiting} waiting · {endpoint.failed} given up
            </span>
          </p>
          {endpoint.failingSince && (
            <p className="mt-1 text-xs text-rose-800">
              Every attempt has failed since {formatDateTime(endpoint.failingSince, { zone: true })}.
            </p>
          )}
          {endpoint.previousSecretValidUntil && (
            <p className="mt-1 text-xs text-slate-600">
              The previous secret also signs until {formatDateTime(endpoint.previousSecretValidUntil, { zone: true })}.
            </p>
          )}
        </div>
      </div>
      <div className="mt-3">
        <EndpointActions partnerId={partnerId} endpointId={endpoint.id} url={endpoint.url} enabled={endpoint.enabled} />
      </div>
      <div className="mt-4">
        {log.items.length === 0 ? (
          <p className="text-sm text-slate-600">No deliveries yet.</p>
        ) : (
          <PagedTable
            query={endpoint.id}
            caption={`Deliveries to ${endpoint.url}`}
            head={
              <>
                <Th>Event</Th>
                <Th>Status</Th>
                <Th>Attempts</Th>
                <Th>Last answer</Th>
                <Th>Duration</Th>
                <Th>Next attempt (UTC)</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </>
            }
            first={deliveryRowsPage(partnerId, log)}
            loadMore={loadMoreDeliveries.bind(null, partnerId, endpoint.id)}
            noun={["delivery", "deliveries"]}
          />
        )}
      </div>
    </section>
  );
}
