import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

/**
 * The instance the scanners attack: the production build (`npm start`) on a
 * fresh embedded data folder, and what the scan needs in it, made the way an
 * operator and a partner's app would make it (the admin CLI and the public API).
 */

const root = path.resolve(import.meta.dirname, "..");
const run = promisify(execFile);

/** Everything the scan targets need: ids that exist, and credentials that work. */
export interface Fixtures {
  base: string;
  partnerId: number;
  masterKey: string;
  tierId: number;
  /** A partner-API client with money, a subscription and its first invoice. */
  client: {
    id: string;
    email: string;
    password: string;
    accessToken: string;
    accountId: string;
    subscriptionId: string;
    invoiceId: string;
  };
  /** A white-label client: its token is the bearer of the white-label endpoints. */
  whiteLabel: { id: string; email: string; password: string; token: string };
  /** A staff admin signed in through next-auth's credentials sign-in. */
  staff: { email: string; sessionCookie: { name: string; value: string }; signOutActions: string[] };
}

export interface Instance {
  fixtures: Fixtures;
  stop(): Promise<void>;
}

export interface InstanceOptions {
  port: number;
  dataDir: string;
  /** The server's own output goes here, never to the terminal (it would bury the scan's). */
  logFile: string;
}

/** Development-only: this value signs the scan instance's sessions and codes, and nothing else. */
const SCAN_AUTH_SECRET = "scan-only-auth-secret-development-not-for-production";

export function ensureBuild(): void {
  if (existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  process.stdout.write("No production build: running npm run build\n");
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
}

async function waitForHealth(base: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`the server exited with code ${server.exitCode} before it was healthy`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base}/api/health did not answer 200 within ${timeoutMs / 1000} s`);
}

export async function startInstance({ port, dataDir, logFile }: InstanceOptions): Promise<Instance> {
  const base = `http://127.0.0.1:${port}`;
  // TRUSTED_PROXY_COUNT=1: the scan plays the trusted proxy, so sqlmap's X-Forwarded-For on the sign-in
  // endpoints spreads its attempts over addresses and the scan reaches the code behind the per-address limits.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    GATEHOUSE_DATA_DIR: dataDir,
    AUTH_SECRET: SCAN_AUTH_SECRET,
    APP_URL: base,
    LOG_LEVEL: "warn",
    TRUSTED_PROXY_COUNT: "1",
  };
  delete env.DATABASE_URL;
  const log = createWriteStream(logFile);
  // Its own process group, so stopping it stops npm, the server and Next.js together.
  const server = spawn("npm", ["start"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (server.exitCode !== null) return;
    const exited = new Promise((r) => server.once("exit", r));
    try {
      process.kill(-server.pid!, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-server.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  // A scan stopped any other way (an exception, Ctrl-C) still takes its server down.
  process.once("exit", () => {
    if (!stopped && server.exitCode === null) {
      try {
        process.kill(-server.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  });
  try {
    await waitForHealth(base, server, 120_000);
    const fixtures = await seed(base, env);
    return { fixtures, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function gatehouse<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const { stdout } = await run("npm", ["run", "-s", "gatehouse", "--", ...args, "--json"], {
    cwd: root,
    env,
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as T;
}

async function call<T>(
  base: string,
  method: string,
  pathname: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<T> {
  const res = await fetch(base + pathname, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`seeding: ${method} ${pathname} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function seed(base: string, env: NodeJS.ProcessEnv): Promise<Fixtures> {
  // Quotas off: with the default 1 registration per IP per hour the scanners would measure the quota, not the code behind it.
  const partner = await gatehouse<{ partnerId: number; masterKey: string }>(
    [
      "partner",
      "create",
      "--name",
      "Scan partner",
      "--sandbox",
      "--quota-ip",
      "0",
      "--quota-total",
      "0",
      "--currency",
      "EUR",
    ],
    env,
  );
  const staffEmail = `scan-admin-${randomUUID().slice(0, 8)}@scan.test`;
  // Random per run and never printed: the instance and its data folder are thrown away.
  const staffPassword = `Scan-${randomBytes(18).toString("base64url")}`;
  await gatehouse(
    ["staff", "create", "--email", staffEmail, "--role", "admin", "--name", "Scan admin", "--password", staffPassword],
    env,
  );
  const tier = await gatehouse<{ id: number }>(
    [
      "tier",
      "create",
      "--partner",
      String(partner.partnerId),
      "--name",
      "Scan tier",
      "--amount",
      "1.00",
      "--currency",
      "EUR",
    ],
    env,
  );

  const partnerHeader = { partnerId: String(partner.partnerId) };
  const email = `scan-client-${randomUUID().slice(0, 8)}@example.test`;
  const password = "Scan#Client1";
  await call(base, "POST", "/reg/user", { headers: partnerHeader, body: { email, password, userType: "CUSTOMER" } });
  // Sandbox partners' code is always 12345.
  const tokens = await call<{ access_token: string; user_id: string }>(base, "POST", "/reg/user", {
    headers: partnerHeader,
    body: { email, password, userType: "CUSTOMER", emailConfirmCode: "12345" },
  });
  const bearer = { authorization: `Bearer ${tokens.access_token}` };
  const clientId = tokens.user_id.replace(/^usr:/, "");
  const [account] = await call<{ id: string }[]>(base, "GET", "/wallet/accounts", { headers: bearer });
  await gatehouse(["account", "credit", "--client", clientId, "--amount", "100.00"], env);
  const started = await call<{ id: string }>(base, "POST", "/reg/subscription", {
    headers: bearer,
    body: { accountId: account!.id, subscriptionDetailsId: tier.id, anyCurrency: false },
  });
  const [subscription] = await call<{ id: string }[]>(base, "GET", "/reg/subscription", { headers: bearer });

  const wlEmail = `scan-wl-${randomUUID().slice(0, 8)}@example.test`;
  const wl = await call<{ token: string; clientId: string }>(base, "POST", "/api/public/register", {
    headers: partnerHeader,
    body: {
      firstName: "Scan",
      lastName: "Client",
      email: wlEmail,
      countryCode: "LV",
      password: "Scan1234x",
      referralCode: null,
      agreed: true,
      birthDate: "1990-01-01",
    },
  });

  return {
    base,
    partnerId: partner.partnerId,
    masterKey: partner.masterKey,
    tierId: tier.id,
    client: {
      id: clientId,
      email,
      password,
      accessToken: tokens.access_token,
      accountId: account!.id,
      subscriptionId: subscription!.id,
      invoiceId: started.id,
    },
    whiteLabel: { id: wl.clientId, email: wlEmail, password: "Scan1234x", token: wl.token },
    staff: await signIn(base, staffEmail, staffPassword),
  };
}

/** The server actions on a back-office page: the layout's only one is the sign-out button. */
async function serverActionsOf(base: string, cookie: string): Promise<string[]> {
  const html = await (await fetch(`${base}/overview`, { headers: { cookie } })).text();
  const ids = [...new Set([...html.matchAll(/\$ACTION_ID_([0-9a-fA-F]+)/g)].map((m) => m[1]!))];
  if (ids.length === 0)
    throw new Error(
      "no sign-out form on /overview: the crawl could not be kept signed in (see signOutGuard in scan/proxy.ts)",
    );
  return ids;
}

/** Signs in the way the login form does: next-auth's CSRF token, then the credentials callback. */
async function signIn(base: string, email: string, password: string): Promise<Fixtures["staff"]> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at).trim(), pair!.slice(at + 1));
    }
  };
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-auth-return-redirect": "1",
      cookie: cookieHeader(),
    },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: "/" }),
  });
  keep(res);
  const name = [...jar.keys()].find((k) => k.endsWith("authjs.session-token"));
  if (!name) throw new Error(`signing in ${email}: no session cookie (status ${res.status})`);
  const session = (await (
    await fetch(`${base}/api/auth/session`, { headers: { cookie: `${name}=${jar.get(name)}` } })
  ).json()) as { user?: { email?: string } } | null;
  if (session?.user?.email !== email)
    throw new Error(`signing in ${email}: the session cookie does not hold a session`);
  return {
    email,
    sessionCookie: { name, value: jar.get(name)! },
    signOutActions: await serverActionsOf(base, `${name}=${jar.get(name)}`),
  };
}
