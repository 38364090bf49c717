// A path the dashboard does not know.
import { EmptyState } from "../components/notice.js";
import { Link } from "../router.js";

export function NotFoundPage() {
  return (
    <EmptyState title="No such page">
      <Link href="/">Back to the overview</Link>
    </EmptyState>
  );
}
