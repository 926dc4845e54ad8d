import { ReposView } from "./_components/repos-view";

export const metadata = { title: "Repos" };

export default function ReposPage() {
  return <ReposView />;
}
