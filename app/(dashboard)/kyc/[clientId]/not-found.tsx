import { EmptyState } from "../../../_components/ui";
import { BackLink } from "./back-link";

/** A client the staff member may not see is one that does not exist: nothing of it is shown. */
export default function ClientNotFound() {
  return (
    <div>
      <BackLink />
      <EmptyState title="No such client">It may belong to a partner you do not manage.</EmptyState>
    </div>
  );
}
