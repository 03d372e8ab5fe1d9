import type { ClientSort } from "@/server/clients/schemas";
import type { ClientRow } from "@/server/clients/list-view";

export const sortLabels: Record<ClientSort, string> = { created_desc: "Newest first", created_asc: "Oldest first", email_asc: "Email A–Z" };
export const stateLabels: Record<ClientRow["state"], string> = { active: "Active", suspended: "Suspended", blocked: "Blocked" };
export const verificationLabels: Record<ClientRow["verification"], string> = {
  not_verified: "Not verified",
  email_verified: "Email verified",
  phone_verified: "Phone verified",
  identified: "Identified",
};
