import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/server/auth/callback-path";
import { getStaffSession } from "@/server/auth/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[] }>;
}) {
  const { callbackUrl } = await searchParams;
  const next = safeCallbackPath(callbackUrl);
  if (await getStaffSession()) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold tracking-tight">Sign in to Gatehouse</h1>
        <p className="mt-1 text-sm text-slate-600">Back office for operations, key account managers and admins.</p>
        <LoginForm next={next} />
      </div>
    </main>
  );
}
