import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "./redact";

/** Fastest of a few runs, in ms: the least disturbed by other work on the machine. */
function fastest(run: () => void, times = 5): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe("redaction cost grows with the text, whatever the text", () => {
  const SIZE = 256 * 1024;
  // Runs of what the secret patterns start on, against text of the same size that starts none of them.
  const hostile = {
    "a run of pass": "pass".repeat(SIZE / 4),
    "a run of password=": "password=".repeat(SIZE / 9),
    "a run of secret_": "secret_".repeat(SIZE / 7),
    "a run of URL schemes": "a://b:".repeat(SIZE / 6),
  };
  const plain = "lorem ipsum dolor sit amet ".repeat(SIZE / 27);

  it.each(Object.entries(hostile))("%s (256 KB) costs about what plain text of that size does", (_, text) => {
    redactSecrets(plain); // warm the regexes up
    const baseline = fastest(() => redactSecrets(plain));
    const cost = fastest(() => redactSecrets(text));
    // Linear work is within a small factor of the baseline; the quadratic form was thousands of times it.
    expect(cost).toBeLessThan(Math.max(baseline, 1) * 25);
  });

  it("still redacts what it did", () => {
    expect(redactSecrets(`password = "hunter2hunter2"`).text).toBe(`password = "${REDACTED}"`);
    expect(redactSecrets(`const apiKey: string = 'abcdefgh12345'`).text).toBe(`const apiKey: string = '${REDACTED}'`);
    expect(redactSecrets(`AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMIK7MDENG"`).text).toBe(`AWS_SECRET_ACCESS_KEY="${REDACTED}"`);
  });
});
