import { Badge, type Tone } from "./badge";

const TONE: Record<string, Tone> = { critical: "red", warning: "amber", info: "sky" };

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <Badge tone={TONE[severity] ?? "slate"} testId="severity">
      {severity}
    </Badge>
  );
}

/** "new today", "seen for 3 days". */
export function ageLabel(ageDays: number): string {
  return ageDays === 0 ? "new today" : `seen for ${ageDays} ${ageDays === 1 ? "day" : "days"}`;
}
