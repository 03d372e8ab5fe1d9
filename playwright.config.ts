import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end specs run against a production build (`npm run build` first).
 * With E2E_BASE_URL set they use that server instead of starting one.
 */
const externalBaseUrl = process.env.E2E_BASE_URL;
const baseURL = externalBaseUrl ?? "http://127.0.0.1:3100";

export default defineConfig({
  testDir: "e2e",
  reporter: "list",
  workers: process.env.CI ? 1 : undefined,
  forbidOnly: !!process.env.CI,
  use: {
    baseURL,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          // The system Chromium: no browser download is possible (or wanted) on these machines.
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--disable-gpu",
          ],
        },
      },
    },
  ],
  webServer: externalBaseUrl
    ? undefined
    : {
        command: "npm start",
        url: `${baseURL}/api/health`,
        reuseExistingServer: !process.env.CI,
        timeout: 120_000,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          PORT: "3100",
          GATEHOUSE_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data/e2e",
          AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-only-auth-secret-not-for-production-0000",
          APP_URL: process.env.APP_URL ?? baseURL,
          // The webhooks spec's receiver listens on this machine, over http.
          WEBHOOK_ALLOW_PRIVATE_URLS: "1",
        },
      },
});
