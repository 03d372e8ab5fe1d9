import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { test as base, expect, type Page } from "@playwright/test";
import pg from "pg";
import { readEmbeddedOwner } from "../db/embedded-owner";

/**
 * Staff for the specs, made the way an operator makes them (the admin CLI,
 * against the running server's database), and signed in without the form:
 * only the sign-in spec itself goes through the login page.
 */

export type StaffRole = "admin" | "operations" | "kam";

export interface StaffCredentials {
  id: string;
  email: string;
  password: string;
  name: string;
  role: StaffRole;
}

const root = path.resolve(import.meta.dirname, "..");
/** The data folder of the server under test; playwright.config.ts gives the web server the same one. */
const dataDir = process.env.E2E_DATA_DIR ?? ".data/e2e";
const run = promisify(execFile);

/** Runs `npm run gatehouse -- <args> --json` against the server's database and returns the JSON it prints last. */
export async function gatehouse<T>(args: string[]): Promise<T> {
  const { stdout } = await run("npm", ["run", "-s", "gatehouse", "--", ...args, "--json"], {
    cwd: root,
    env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as T;
}

/** Creates a staff member with a known password through `npm run gatehouse -- staff create`. */
export async function createStaffWithCli(role: StaffRole, tag: string = role): Promise<StaffCredentials> {
  const unique = randomUUID().slice(0, 8);
  const email = `e2e-${tag}-${unique}@staff.test`;
  const password = `E2E-${randomUUID()}`;
  const name = `E2E ${role[0]!.toUpperCase()}${role.slice(1)} ${unique}`;
  const created = await gatehouse<{ id: string; email: string; role: StaffRole }>([
    "staff",
    "create",
    "--email",
    email,
    "--role",
    role,
    "--name",
    name,
    "--password",
    password,
  ]);
  return { id: created.id, email: created.email, role: created.role, password, name };
}

/** A sandbox partner of the test's own, with its master API key. */
export async function createPartnerWithCli(): Promise<{ partnerId: number; masterKey: string }> {
  return gatehouse([
    "partner",
    "create",
    "--name",
    `E2E partner ${randomUUID().slice(0, 8)}`,
    "--sandbox",
    "--quota-ip",
    "0",
    "--quota-total",
    "0",
  ]);
}

/**
 * Signs in the way the login form does, but over HTTP: the page's request
 * context shares its cookie jar with the page, so the session cookie lands in
 * the browser.
 */
export async function signIn(
  page: Page,
  staff: Pick<StaffCredentials, "email" | "password">,
  totp?: string,
): Promise<void> {
  const request = page.context().request;
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    headers: { "X-Auth-Return-Redirect": "1" },
    form: { csrfToken, email: staff.email, password: staff.password, ...(totp ? { totp } : {}), callbackUrl: "/" },
  });
  const { url } = (await response.json()) as { url: string };
  const error = new URL(url).searchParams.get("code") ?? new URL(url).searchParams.get("error");
  expect(error, `signing in ${staff.email}`).toBeNull();
  const session = (await (await request.get("/api/auth/session")).json()) as { user?: { email?: string } } | null;
  expect(session?.user?.email, "the session cookie is set").toBe(staff.email);
}

/** The server's database, for asserting effects that matter beyond the page. */
function connectToServerDatabase(): pg.Pool {
  const url = process.env.DATABASE_URL ?? readEmbeddedOwner(path.resolve(root, dataDir))?.url;
  if (!url) throw new Error(`No database: the embedded one in ${dataDir} is not running and DATABASE_URL is unset`);
  return new pg.Pool({ connectionString: url, max: 2 });
}

interface WorkerFixtures {
  /** One staff member per role for this worker, shared by its tests: do not lock or change them. */
  staff: Record<StaffRole, StaffCredentials>;
  db: pg.Pool;
}

interface TestFixtures {
  /** A staff member of the test's own, for tests that change the account (lockout, TOTP). */
  createStaff: (role: StaffRole) => Promise<StaffCredentials>;
  adminPage: Page;
  operationsPage: Page;
  kamPage: Page;
}

/** Reported by the page (a `securitypolicyviolation` event) or by the browser (a console error). */
const cspConsoleMessage = /Content Security Policy/i;

export const test = base.extend<TestFixtures, WorkerFixtures>({
  // Every spec fails on any Content-Security-Policy violation in any of its pages: a blocked
  // script or style means the policy and the app disagree, whatever the assertions saw.
  context: async ({ context }, use) => {
    const violations: string[] = [];
    await context.exposeBinding("__gatehouseCspViolation", ({ page }, report: string) => {
      violations.push(`${page.url()}: ${report}`);
    });
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        const report = (window as unknown as { __gatehouseCspViolation: (r: string) => void }).__gatehouseCspViolation;
        void report(
          `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`,
        );
      });
    });
    context.on("console", (message) => {
      if (message.type() === "error" && cspConsoleMessage.test(message.text()))
        violations.push(`${message.page()?.url() ?? "?"}: ${message.text()}`);
    });
    await use(context);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
  },
  staff: [
    async ({}, use, workerInfo) => {
      const tag = (role: StaffRole) => `${role}-w${workerInfo.workerIndex}`;
      const [admin, operations, kam] = await Promise.all([
        createStaffWithCli("admin", tag("admin")),
        createStaffWithCli("operations", tag("operations")),
        createStaffWithCli("kam", tag("kam")),
      ]);
      await use({ admin: admin, operations: operations, kam: kam });
    },
    { scope: "worker", timeout: 120_000 },
  ],
  db: [
    async ({}, use) => {
      const pool = connectToServerDatabase();
      await use(pool);
      await pool.end();
    },
    { scope: "worker" },
  ],
  createStaff: async ({}, use) => {
    await use((role) => createStaffWithCli(role));
  },
  adminPage: async ({ page, staff }, use) => {
    await signIn(page, staff.admin);
    await use(page);
  },
  operationsPage: async ({ page, staff }, use) => {
    await signIn(page, staff.operations);
    await use(page);
  },
  kamPage: async ({ page, staff }, use) => {
    await signIn(page, staff.kam);
    await use(page);
  },
});

export { expect };
