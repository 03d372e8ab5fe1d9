import type { Role } from "@/server/auth/policies";

export interface NavItem {
  href: string;
  label: string;
}

const items: Array<NavItem & { roles: Role[] }> = [
  { href: "/overview", label: "Overview", roles: ["admin", "operations", "kam"] },
  { href: "/clients", label: "Clients", roles: ["admin", "operations", "kam"] },
  { href: "/register-client", label: "Register client", roles: ["admin", "operations"] },
  { href: "/imports", label: "Import clients", roles: ["admin", "operations"] },
  { href: "/pending", label: "Pending confirmations", roles: ["admin", "operations", "kam"] },
  { href: "/kyc", label: "KYC review", roles: ["admin", "operations", "kam"] },
  { href: "/tiers", label: "Subscription tiers", roles: ["admin", "operations", "kam"] },
  { href: "/billing", label: "Subscriptions & invoices", roles: ["admin", "operations"] },
  { href: "/partners", label: "Partners", roles: ["admin", "kam"] },
  { href: "/staff", label: "Staff", roles: ["admin"] },
  { href: "/audit", label: "Audit log", roles: ["admin"] },
  { href: "/outbox", label: "Outbox", roles: ["admin", "operations"] },
  { href: "/account/security", label: "Account security", roles: ["admin", "operations", "kam"] },
];

/** Pages hide what a role may not do; the server refuses it anyway. */
export function navigationFor(role: Role): NavItem[] {
  return items.filter((i) => i.roles.includes(role)).map(({ href, label }) => ({ href, label }));
}
