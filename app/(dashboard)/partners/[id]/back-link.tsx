import Link from "next/link";

export function BackLink() {
  return (
    <Link
      href="/partners"
      className="mb-2 inline-block text-sm text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
    >
      ← Partners
    </Link>
  );
}
