import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import drizzle from "eslint-plugin-drizzle";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * The layers (docs/architecture.md), each allowed to import only what sits below it:
 *
 *   app (pages, route handlers, proxy)  →  transport (tRPC kernel and routers, REST wrapper, next-auth)
 *     →  domain (server/<noun>: plain services)  →  db (schema, client, migrations)  →  config (leaf)
 *
 * app may also call domain services (REST handlers do) but never db. Nothing imports upwards,
 * and there are no import cycles. Scripts, tests, benchmarks and the scan sit outside the layers.
 * Each rule matches import specifiers as written: `@/x/…` from app, relative paths elsewhere.
 */
const CONFIG = ["env.ts"];
const TRANSPORT = ["server/api/**", "server/http/**", "server/auth/next-auth.ts", "server/auth/session.ts"];
const APP = ["app/**", "proxy.ts", "instrumentation.ts"];

const toApp = {
  regex: "^(@/|(\\.\\./)+)app/",
  message: "Only app/ imports app/: the layers point down (docs/architecture.md).",
};
const toDb = { regex: "^(@/|(\\.\\./)+)db/", message: "Only domain services (server/<noun>) touch the database." };
const toServer = {
  regex: "^(@/|(\\.\\./)+)server/",
  message: "db/ depends on nothing above it; read configuration from env.ts.",
};
const toTransport = {
  regex: "^(@/server/|(\\.\\./)+)(api|http)/|(^|/)(session|next-auth)$",
  message: "Domain services do not know the transport (tRPC, REST, next-auth); take a Caller instead.",
};
const nextJs = {
  group: ["next", "next/*", "next-auth", "next-auth/*", "react", "react-dom"],
  message: "Domain services are plain functions: no Next.js or React.",
};
const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { "no-restricted-imports": ["error", { patterns }] },
});

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      ".data/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "db/migrations/**",
      "tests/lint-fixtures/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // An async function may implement an async contract without awaiting anything (a mock, a
      // provider that answers at once); the promise rules below catch the mistakes that matter.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["**/*.{ts,tsx,mjs}"],
    plugins: { "import-x": importX, drizzle },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ alwaysTryTypes: true })],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      // A delete or update without a where clause empties or rewrites a whole table.
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx", "getDb", "executor"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx", "getDb", "executor"] }],
    },
  },
  layer(APP, [toDb]),
  layer(TRANSPORT, [toApp, toDb]),
  layer(["server/**"], [toApp, toTransport, nextJs], [...TRANSPORT, ...CONFIG]),
  layer(["db/**"], [toApp, toServer]),
  layer(CONFIG, [{ regex: "^\\.", message: "Configuration is a leaf: it imports no module of ours." }]),
  {
    files: ["app/**/*.{ts,tsx}"],
    plugins: { "@next/next": nextPlugin, "react-hooks": reactHooks },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    // Tests read JSON answers, which are untyped by nature (`any`); everything else still applies to them.
    files: ["tests/**", "e2e/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // Playwright reads a fixture's dependencies from its first parameter's destructuring: `{}` means none.
    files: ["e2e/fixtures.ts"],
    rules: { "no-empty-pattern": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly" } },
    extends: [tseslint.configs.disableTypeChecked],
  },
);
