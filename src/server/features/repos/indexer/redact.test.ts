import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "./redact";

/** Fastest of a few runs, in ms: the least disturbed by other work on the machine. */
function fastest(run: () => void, times = 11): number {
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
  // Runs of what the secret patterns start on, against plain text of the same size (linear work).
  const hostile: Record<string, string> = {
    "a run of pass": "pass".repeat(SIZE / 4),
    "a run of password=": "password=".repeat(Math.floor(SIZE / 9)),
    "a run of secret_": "secret_".repeat(Math.floor(SIZE / 7)),
    "a run of URL schemes": "a://b:".repeat(Math.floor(SIZE / 6)),
  };
  const plain = "lorem ipsum dolor sit amet ".repeat(Math.floor(SIZE / 27));

  it.each(Object.keys(hostile))("%s (256 KB) stays within a constant factor of plain text's cost", (name) => {
    redactSecrets(plain); // warm the regexes up
    const baseline = Math.max(
      fastest(() => redactSecrets(plain)),
      0.5,
    );
    const ratio = fastest(() => redactSecrets(hostile[name]!)) / baseline;
    // Bounded patterns do a few dozen steps per start (~20× plain text here); the quadratic form was
    // tens of thousands of times plain text at this size (minutes).
    expect(ratio).toBeLessThan(200);
  });

  it("still redacts what it did", () => {
    expect(redactSecrets(`password = "hunter2hunter2"`).text).toBe(`password = "${REDACTED}"`);
    expect(redactSecrets(`const apiKey: string = 'abcdefgh12345'`).text).toBe(`const apiKey: string = '${REDACTED}'`);
    expect(redactSecrets(`AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMIK7MDENG"`).text).toBe(`AWS_SECRET_ACCESS_KEY="${REDACTED}"`);
  });
});
