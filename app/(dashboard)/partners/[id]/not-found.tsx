import { EmptyState, PageHeader } from "../../../_components/ui";
import { BackLink } from "./back-link";

/** A partner the staff member may not see is one that does not exist. */
export default function PartnerNotFound() {
  return (
    <div>
      <BackLink />
      <PageHeader title="Partner not found" />
      <EmptyState title="No such partner">It may not exist, or belong to another key account manager.</EmptyState>
    </div>
  );
}
