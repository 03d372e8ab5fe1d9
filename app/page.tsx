import Link from "next/link";

export default function Home() {
  return (
    <main className="mx-auto max-w-3xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Gatehouse</h1>
      <p className="mt-3 text-slate-600">
        Client onboarding for white-label fintech partners: registration, email confirmation, identity verification and
        subscriptions.
      </p>
      <ul className="mt-8 space-y-2">
        <li>
          <Link className="text-indigo-700 underline" href="/docs">
            API documentation
          </Link>
        </li>
        <li>
          <a className="text-indigo-700 underline" href="/api/openapi.json">
            OpenAPI 3.1 document
          </a>
        </li>
        <li>
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- an API endpoint (JSON), not a page of the app */}
          <a className="text-indigo-700 underline" href="/api/health">
            Health
          </a>
        </li>
      </ul>
    </main>
  );
}
