import { accountRouter } from "./routers/account";
import { apiKeyRouter } from "./routers/api-key";
import { auditRouter } from "./routers/audit";
import { billingRouter } from "./routers/billing";
import { clientRouter } from "./routers/client";
import { importRouter } from "./routers/imports";
import { invoiceRouter } from "./routers/invoice";
import { kycRouter } from "./routers/kyc";
import { outboxRouter } from "./routers/outbox";
import { overviewRouter } from "./routers/overview";
import { partnerRouter } from "./routers/partner";
import { pendingRouter } from "./routers/pending";
import { registrationRouter } from "./routers/registration";
import { staffRouter } from "./routers/staff";
import { subscriptionRouter } from "./routers/subscription";
import { tierRouter } from "./routers/tier";
import { webhookRouter } from "./routers/webhook";
import { createCallerFactory, router } from "./trpc";

/** One router per domain noun. */
export const appRouter = router({
  account: accountRouter,
  apiKey: apiKeyRouter,
  audit: auditRouter,
  billing: billingRouter,
  client: clientRouter,
  import: importRouter,
  invoice: invoiceRouter,
  kyc: kycRouter,
  outbox: outboxRouter,
  overview: overviewRouter,
  partner: partnerRouter,
  pending: pendingRouter,
  registration: registrationRouter,
  staff: staffRouter,
  subscription: subscriptionRouter,
  tier: tierRouter,
  webhook: webhookRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
