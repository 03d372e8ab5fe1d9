import { metricsEndpoint } from "@/server/http/metrics-endpoint";

export const dynamic = "force-dynamic";

/** Prometheus metrics (server/metrics/); METRICS_TOKEN, when set, is required as a bearer token. */
export const GET = metricsEndpoint;
