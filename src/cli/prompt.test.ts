import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { PromptCancelled, readHidden } from "./prompt";

/** A terminal stand-in: records raw mode, and what was written to the screen. */
function terminal() {
  const input = Object.assign(new EventEmitter(), {
    isRaw: false,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      this.isRaw = mode;
      this.rawModes.push(mode);
    },
    setEncoding: () => undefined,
    resume: () => undefined,
    pause: () => undefined,
  });
  const output = new PassThrough();
  let screen = "";
  output.on("data", (c: Buffer) => (screen += c.toString()));
  return { input, output, screen: () => screen };
}

describe("readHidden (the CLI's password prompt)", () => {
  it("reads the typed password without echoing it, and restores the terminal", async () => {
    const t = terminal();
    const answer = readHidden("Password: ", t.input, t.output);
    t.input.emit("data", "correct h");
    t.input.emit("data", "orse x\u007f battery\r");
    await expect(answer).resolves.toBe("correct horse  battery");
    expect(t.screen()).toBe("Password: \n");
    expect(t.input.rawModes).toEqual([true, false]);
  });

  it("cancels on Ctrl-C and drops escape sequences", async () => {
    const t = terminal();
    const answer = readHidden("Password: ", t.input, t.output);
    t.input.emit("data", "ab\u001b[A\u0003");
    await expect(answer).rejects.toBeInstanceOf(PromptCancelled);
    expect(t.screen()).not.toMatch(/ab/);
    expect(t.input.isRaw).toBe(false);
  });
});
