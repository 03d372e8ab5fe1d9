import path from "node:path";

// Client bundles get Zod through a module that switches it to jitless mode first (the pages'
// Content-Security-Policy forbids the eval Zod would probe for); server bundles keep Zod's own entry.
const zodForBrowser = "./app/_components/zod-browser.ts";

/** @type {import('next').NextConfig} */
const nextConfig = {
  turbopack: {
    resolveAlias: { zod: { browser: zodForBrowser } },
  },
  // The same for `next build --webpack`. `zod$` matches the bare specifier only: the module above imports "zod/v4".
  webpack(config, { isServer }) {
    if (!isServer)
      config.resolve.alias = { ...config.resolve.alias, zod$: path.resolve(import.meta.dirname, zodForBrowser) };
    return config;
  },
  // Native and WASM packages are loaded by Node at run time, not bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-socket",
    "@node-rs/argon2",
    "pg",
    "nodemailer",
    // One copy of the metrics library for every route bundle (server/metrics/registry.ts keeps one registry).
    "prom-client",
  ],
  poweredByHeader: false,
  // `npm run dev` serves http://localhost:3000; opened as http://127.0.0.1:3000 instead, Next.js
  // refuses its hot-reload connection as cross-origin unless that host is allowed here (dev only).
  allowedDevOrigins: ["127.0.0.1"],
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
          // Route handlers (JSON, CSV, JWKS) load nothing and may be framed by nobody. Pages replace
          // this with their own nonce-based policy in proxy.ts, which runs after these headers.
          { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
          // Production builds only: a developer's http://localhost must not be pinned to HTTPS.
          ...(process.env.NODE_ENV === "production"
            ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }]
            : []),
        ],
      },
    ];
  },
};

export default nextConfig;
