import { DAYS, type Day, type Evaluation, type IntentAction, type Rule, type TraceEntry } from "./schema";

/**
 * The policy engine: a pure function of the intent, the actor, the ordered rules and the time.
 * The first rule whose every condition matches decides; the trace names every rule considered and
 * why it matched or not. No rule matching denies (fail closed).
 */
export interface IntentFacts {
  action: IntentAction;
  /** Normalized by the intents feature: branch without refs/heads/, lower-case environment and repo. */
  target: { repo?: string; branch?: string; environment?: string; server?: string; app?: string; workflow?: string };
  params: Record<string, unknown>;
  /**
   * What else the intent may amount to: the actions it does the work of (a run of deploy.yml is a
   * deploy), branches and environments named by workflow inputs or behind a commit SHA. A condition
   * reads these in the stricter direction (see `checkRule`).
   */
  also?: { actions?: IntentAction[]; branch?: string[]; environment?: string[] };
  /** A ref whose branch could not be known (a commit SHA without GitHub to ask): why, for the trace. */
  unknownBranch?: string;
}

/** A workflow whose file name says it ships code counts as a deploy, whichever action dispatches it. */
const DEPLOY_WORKFLOW = /deploy|release|publish|promote|ship/i;
/** Workflow inputs that name a ref or an environment under another key than the reserved ones. */
const REF_INPUT = /(^|[_-])(ref|branch|sha|commit|revision|rev)s?($|[_-])/i;
const ENV_INPUT = /(^|[_-])(env|environment|stage|tier)($|[_-])/i;
const SHA = /^[0-9a-f]{7,40}$/i;

/** The branch a ref names, spelled the way rules match it: no refs/heads/ or heads/ prefix (any case), no surrounding space. */
export function normalizeRef(ref: string): string {
  return ref.trim().replace(/^(refs\/)?heads\//i, "");
}

export function looksLikeSha(ref: string): boolean {
  return SHA.test(ref);
}

/**
 * The facts of a stored or proposed intent. `shaBranches`: the branches whose head a SHA ref is,
 * when GitHub could be asked (undefined = not known, so branch rules read it in the stricter direction).
 */
export function intentFacts(action: IntentAction, target: Record<string, unknown>, params: Record<string, unknown>, shaBranches?: readonly string[]): IntentFacts {
  const str = (k: string) => (typeof target[k] === "string" ? (target[k] as string) : undefined);
  const ref = str("ref") === undefined ? undefined : normalizeRef(str("ref")!);
  const workflow = typeof params.workflow === "string" ? params.workflow.trim().toLowerCase() : undefined;
  const inputs = params.inputs && typeof params.inputs === "object" && !Array.isArray(params.inputs) ? (params.inputs as Record<string, unknown>) : {};
  const inputValues = (key: RegExp) =>
    Object.entries(inputs)
      .filter(([k, v]) => key.test(k) && typeof v === "string" && v.trim() !== "")
      .map(([, v]) => normalizeRef(v as string));
  const branch = [...inputValues(REF_INPUT), ...(shaBranches ?? [])];
  const environment = inputValues(ENV_INPUT).map((e) => e.toLowerCase());
  const shipsCode = action === "run_workflow" && workflow !== undefined && (DEPLOY_WORKFLOW.test(workflow) || /^\d+$/.test(workflow));
  const unknownSha = [ref, ...inputValues(REF_INPUT)].find((r) => r !== undefined && looksLikeSha(r) && shaBranches === undefined);
  return {
    action,
    target: { repo: str("repo"), branch: ref, environment: str("environment"), server: str("server"), app: str("app"), workflow },
    params,
    also: { actions: shipsCode ? ["deploy"] : [], branch, environment },
    ...(unknownSha ? { unknownBranch: `commit ${unknownSha} (its branch is not known)` } : {}),
  };
}

export interface ActorFacts {
  /** What `clients` globs match: the API client id, or user:<email> for a dashboard user. */
  client: string;
}

/** Wildcard match (`*` any run, `?` one character), case-insensitive, in O(n·m) without regexes (no ReDoS). */
export function globMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** An own property path in plain data; never walks the prototype chain. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

type Scalar = string | number | boolean;

function scalarMatches(expected: Scalar, actual: unknown): boolean {
  if (typeof expected === "string") return typeof actual === "string" && globMatch(expected, actual);
  return actual === expected;
}

const WEEKDAY: Record<string, Day> = { Mon: "mon", Tue: "tue", Wed: "wed", Thu: "thu", Fri: "fri", Sat: "sat", Sun: "sun" };

/** Day and minute of the day at `now` in a time zone. */
export function localTime(now: Date, timeZone: string): { day: Day; minutes: number; label: string } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const hour = Number(get("hour")) % 24;
  const minute = Number(get("minute"));
  const day = WEEKDAY[get("weekday")] ?? DAYS[0];
  return { day, minutes: hour * 60 + minute, label: `${day} ${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")} ${timeZone}` };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function inWindow(w: NonNullable<Rule["match"]["time"]>, now: Date): { ok: boolean; why: string } {
  const t = localTime(now, w.timeZone);
  if (w.days && !w.days.includes(t.day)) return { ok: false, why: `time ${t.label} is not on ${w.days.join(", ")}` };
  if (w.from !== undefined && w.to !== undefined) {
    const from = toMinutes(w.from);
    const to = toMinutes(w.to);
    const ok = from <= to ? t.minutes >= from && t.minutes < to : t.minutes >= from || t.minutes < to;
    if (!ok) return { ok: false, why: `time ${t.label} is outside ${w.from}–${w.to}` };
  }
  return { ok: true, why: `time ${t.label} is inside the window` };
}

function listMatch(kind: string, patterns: readonly string[], value: string | undefined): { ok: boolean; why: string } {
  if (value === undefined) return { ok: false, why: `${kind} is not set (rule wants ${patterns.join(", ")})` };
  const hit = patterns.find((p) => globMatch(p, value));
  return hit ? { ok: true, why: `${kind} ${value} matches ${hit}` } : { ok: false, why: `${kind} ${value} does not match ${patterns.join(", ")}` };
}

/**
 * A condition on a fact with several possible values (the target's, and those the intent may also
 * amount to). A rule that allows must hold for every value; a rule that denies or asks for approval
 * for any of them, and for a value that cannot be known. So a second spelling can only make an
 * intent stricter, never looser.
 */
function anyOrAll(strict: boolean, kind: string, values: readonly string[], unknown: string | undefined, test: (v: string | undefined) => { ok: boolean; why: string }) {
  const results = (values.length ? values : [undefined]).map(test);
  if (unknown) results.push({ ok: strict, why: `${kind} may be any: ${unknown}` });
  const pick = strict ? results.find((r) => r.ok) : results.find((r) => !r.ok);
  return pick ?? results[0]!;
}

/** Every condition of one rule, in a fixed order; the rule matches when all hold. */
function checkRule(rule: Rule, intent: IntentFacts, actor: ActorFacts, now: Date): TraceEntry {
  const reasons: string[] = [];
  let matched = true;
  const note = (r: { ok: boolean; why: string }) => {
    reasons.push(r.why);
    if (!r.ok) matched = false;
  };
  const m = rule.match;
  const strict = rule.decision !== "allow";
  const also = intent.also ?? {};
  if (m.clients) note(listMatch("client", m.clients, actor.client));
  if (m.actions) {
    const actions = m.actions;
    const names = [intent.action, ...(also.actions ?? []).filter((a) => a !== intent.action)];
    note(
      anyOrAll(strict, "action", names, undefined, (a) =>
        actions.includes(a as IntentAction)
          ? { ok: true, why: `action ${a === intent.action ? a : `${intent.action} counts as ${a}: it`} is listed` }
          : { ok: false, why: `action ${a} is not one of ${actions.join(", ")}` },
      ),
    );
  }
  for (const field of ["repo", "branch", "environment", "server", "app", "workflow"] as const) {
    const patterns = m.target?.[field];
    if (!patterns) continue;
    const extra = field === "branch" || field === "environment" ? (also[field] ?? []) : [];
    const values = [...(intent.target[field] === undefined ? [] : [intent.target[field]!]), ...extra];
    note(anyOrAll(strict, field, values, field === "branch" ? intent.unknownBranch : undefined, (v) => listMatch(field, patterns, v)));
  }
  for (const [path, expected] of Object.entries(m.params ?? {})) {
    const actual = valueAt(intent.params, path);
    const options = Array.isArray(expected) ? expected : [expected];
    const ok = options.some((e) => scalarMatches(e, actual));
    note({ ok, why: `param ${path} = ${actual === undefined ? "(unset)" : JSON.stringify(actual)} ${ok ? "matches" : "does not match"} ${options.map((o) => JSON.stringify(o)).join(" | ")}` });
  }
  if (m.time) note(inWindow(m.time, now));
  if (reasons.length === 0) reasons.push("matches everything");
  return { rule: rule.id, matched, reasons };
}

export function evaluate(intent: IntentFacts, actor: ActorFacts, rules: readonly Rule[], now: Date): Evaluation {
  const trace: TraceEntry[] = [];
  for (const rule of rules) {
    const entry = checkRule(rule, intent, actor, now);
    trace.push(entry);
    if (entry.matched) {
      return { decision: rule.decision, rule: rule.id, description: rule.description ?? null, trace, approvals: rule.decision === "require_approval" ? rule.approvals! : null };
    }
  }
  return { decision: "deny", rule: null, description: "No rule matched: denied by default", trace, approvals: null };
}
