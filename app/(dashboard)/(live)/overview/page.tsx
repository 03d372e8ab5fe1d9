import type { Metadata } from "next";
import { Suspense } from "react";
import { Spinner } from "../../../_components/ui";
import { OverviewDashboard } from "./overview-dashboard";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return (
    <Suspense fallback={<Spinner label="Loading the overview" />}>
      <OverviewDashboard />
    </Suspense>
  );
}
