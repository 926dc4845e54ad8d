import type { Writable } from "node:stream";

/** The parts of a terminal's stdin a hidden prompt needs (process.stdin, or a test's stand-in). */
export interface TerminalInput {
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: "data", listener: (chunk: string) => void): unknown;
  off(event: "data", listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export class PromptCancelled extends Error {}

/**
 * Reads a line without showing it: the terminal in raw mode so nothing is echoed (a typed password
 * must not stay on screen or in a terminal's scrollback). Enter ends it, Backspace edits, Ctrl-C cancels;
 * other control characters (arrows, bracketed paste markers) are dropped.
 */
export function readHidden(question: string, input: TerminalInput, output: Writable): Promise<string> {
  output.write(question);
  const wasRaw = input.isRaw ?? false;
  input.setRawMode?.(true);
  input.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      input.off("data", onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") {
          finish();
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          finish();
          reject(new PromptCancelled("Cancelled."));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = [...value].slice(0, -1).join("");
        else if (ch >= " ") value += ch;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}
