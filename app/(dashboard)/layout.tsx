import { headers } from "next/headers";
import type { ReactNode } from "react";
import { staffForPage } from "@/server/auth/session";
import { signOutAction } from "./actions";
import { navigationFor } from "./navigation";
import { NavLinks } from "./nav-links";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const path = (await headers()).get("x-gatehouse-path") ?? "";
  const staff = await staffForPage(path);

  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[15rem_1fr]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-slate-900 text-slate-100 lg:min-h-screen lg:border-b-0">
        <div className="flex items-center justify-between gap-4 px-4 py-4 lg:block">
          <p className="text-lg font-semibold tracking-tight">Gatehouse</p>
          <div className="text-right text-xs text-slate-300 lg:mt-2 lg:text-left">
            <p className="font-medium text-slate-100">{staff.name}</p>
            <p>
              {staff.email} · <span className="capitalize">{staff.role}</span>
            </p>
          </div>
        </div>
        <nav aria-label="Back office" className="px-2 pb-4">
          <NavLinks items={navigationFor(staff.role)} />
          <form action={signOutAction} className="mt-4 px-2">
            <button
              type="submit"
              className="w-full rounded-md border border-slate-600 px-3 py-2 text-left text-sm text-slate-200 hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-400"
            >
              Sign out
            </button>
          </form>
        </nav>
      </header>
      <main id="main" className="min-w-0 px-4 py-6 sm:px-8">
        {children}
      </main>
    </div>
  );
}
