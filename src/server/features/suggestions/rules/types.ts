import { hash } from "node:crypto";
import canonicalize from "canonicalize";
import type { ProposeInput } from "@/server/features/intents/schema";
import type { Snapshot } from "../snapshot";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A number or a name the finding rests on, with where to see it (a dashboard path, an API path or a GitHub page). */
export interface Evidence {
  label: string;
  value: string | number;
  unit?: string;
  href?: string;
}

/** What the fingerprint hashes: the evidence reduced to what matters (bucketed numbers, a state, a count band). */
export type Material = Record<string, string | number | boolean | null>;

export interface Finding {
  rule: string;
  /** What it is about: a connection id, repo/workflow, client id, intent id, key prefix, scope… */
  subject: string;
  /** rule:subject — the identity of the problem across days. */
  key: string;
  /** Changes only when severity or the material evidence changes. */
  fingerprint: string;
  severity: Severity;
  title: string;
  summary: string;
  action: string | null;
  evidence: Evidence[];
  material: Material;
  /** A ready intent, sent through the policy like any other proposal. */
  proposal: ProposeInput | null;
}

export type Rule = (s: Snapshot) => Finding[];

export function fingerprintOf(rule: string, subject: string, severity: Severity, material: Material): string {
  return hash("sha256", canonicalize({ rule, subject, severity, material }) ?? "", "hex").slice(0, 24);
}

export function finding(
  rule: string,
  subject: string,
  f: Omit<Finding, "rule" | "subject" | "key" | "fingerprint" | "action" | "proposal"> & { action?: string | null; proposal?: ProposeInput | null },
): Finding {
  return { ...f, rule, subject, key: `${rule}:${subject}`, fingerprint: fingerprintOf(rule, subject, f.severity, f.material), action: f.action ?? null, proposal: f.proposal ?? null };
}

/** The largest threshold a value reaches (for fingerprints: 31 % and 38 % failing are the same finding, 55 % is not). */
export function band(value: number, thresholds: readonly number[]): number {
  let out = thresholds[0] ?? 0;
  for (const t of thresholds) if (value >= t) out = t;
  return out;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function hoursBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / HOUR_MS;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
export const pct = (part: number, whole: number) => (whole === 0 ? 0 : round1((part / whole) * 100));
