import { inject } from "vitest";

// Every module reads configuration through env.ts, which reads process.env once.
process.env.DATABASE_URL = inject("databaseUrl");
Object.assign(process.env, { NODE_ENV: "test" });
process.env.APP_URL ??= "http://gatehouse.test";
process.env.OUTBOX_WORKER = "off";
process.env.BILLING_SCHEDULER = "off";
process.env.LOG_LEVEL ??= "error";
