import { describe, expect, it } from "vitest";
import { chunkText, MAX_DECLARATION_LINES, WINDOW_LINES, WINDOW_OVERLAP } from "./chunker";
import { foldersOf, folderSummaryText } from "./folders";
import { extractiveFileSummary } from "./summarize";

const TS = `/**
 * Billing: invoices and refunds.
 */
import { db } from "./db";
import type { Money } from "@/money";

const RATE = 0.2;

/** Creates an invoice. */
export async function createInvoice(amount: Money) {
  return db.insert({ amount, tax: amount * RATE });
}

export class RefundService {
  refund(id: string) {
    return db.delete(id);
  }
}

@Injectable()
export class Audited {}

export type InvoiceId = string;
export default function main() {}
`;

describe("chunker", () => {
  it("cuts TypeScript at top-level declarations, with their doc comments and decorators", () => {
    const chunks = chunkText(TS, "typescript");
    expect(chunks.map((c) => [c.kind, c.symbol, c.startLine, c.endLine])).toEqual([
      ["window", null, 1, 5],
      ["declaration", "RATE", 7, 7],
      ["declaration", "createInvoice", 9, 12],
      ["declaration", "RefundService", 14, 18],
      ["declaration", "Audited", 20, 21],
      ["declaration", "InvoiceId", 23, 23],
      ["declaration", "main", 24, 24],
    ]);
    expect(chunks[2]!.content).toBe(TS.split("\n").slice(8, 12).join("\n"));
  });

  it("cuts Python at def and class, Go at func and type", () => {
    const py = `import os\n\n@cache\ndef load(path):\n    return open(path).read()\n\nclass Store:\n    def get(self):\n        pass\n`;
    expect(chunkText(py, "python").map((c) => [c.symbol, c.startLine, c.endLine])).toEqual([
      [null, 1, 1],
      ["load", 3, 5],
      ["Store", 7, 9],
    ]);
    const go = `package main\n\nimport "fmt"\n\n// Server serves.\ntype Server struct {\n\tport int\n}\n\nfunc (s *Server) Start() error {\n\treturn nil\n}\n\nfunc main() {\n\tfmt.Println("hi")\n}\n`;
    expect(chunkText(go, "go").map((c) => [c.symbol, c.startLine, c.endLine])).toEqual([
      [null, 1, 3],
      ["Server", 5, 8],
      ["Start", 10, 12],
      ["main", 14, 16],
    ]);
  });

  it("uses overlapping line windows where no declarations are known", () => {
    const text = Array.from({ length: 130 }, (_, i) => `line ${i + 1}`).join("\n");
    const chunks = chunkText(text, "markdown");
    expect(chunks.every((c) => c.kind === "window" && c.symbol === null)).toBe(true);
    expect(chunks[0]).toMatchObject({ startLine: 1, endLine: WINDOW_LINES });
    expect(chunks[1]!.startLine).toBe(WINDOW_LINES - WINDOW_OVERLAP + 1);
    expect(chunks.at(-1)!.endLine).toBe(130);
    for (const c of chunks) expect(c.content.split("\n")[0]).toBe(`line ${c.startLine}`);
  });

  it("cuts a very long declaration in windows that keep its symbol", () => {
    const body = Array.from({ length: MAX_DECLARATION_LINES + 50 }, (_, i) => `  step${i}();`).join("\n");
    const chunks = chunkText(`export function huge() {\n${body}\n}\n`, "typescript");
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.kind === "declaration" && c.symbol === "huge")).toBe(true);
  });

  it("cuts a long class at its methods, each chunk named Type.method", () => {
    const body = (name: string) => [`    def ${name}(self):`, `        """Does ${name}."""`, ...Array.from({ length: 80 }, (_, i) => `        x${i} = helper(${i})`)];
    const py = ["class Console:", '    """A terminal."""', "", ...body("print"), "", "    # exports what was printed", ...body("export_html"), ""].join("\n");
    const chunks = chunkText(py, "python");
    expect(chunks.map((c) => [c.symbol, c.startLine])).toEqual([
      ["Console", 1],
      ["Console.print", 4],
      ["Console.export_html", 87],
    ]);
    expect(chunks[2]!.content.split("\n")[0]).toBe("    # exports what was printed");
    const rs = ["impl Command {", ...Array.from({ length: 80 }, (_, i) => `    pub fn f${i}(&self) -> bool {\n        self.get(${i})\n    }`), "}"].join("\n");
    const rsChunks = chunkText(rs, "rust");
    expect(rsChunks.every((c) => c.symbol === "Command" || c.symbol!.startsWith("Command.f"))).toBe(true);
    expect(rsChunks.filter((c) => c.symbol === "Command.f79")).toHaveLength(1);
    // a long function is not a class: a multi-line call in it is not a member
    const fn = ["export function setup() {", ...Array.from({ length: 80 }, (_, i) => `  register(\n    ${i},\n  );`), "}"].join("\n");
    expect(chunkText(fn, "typescript").every((c) => c.symbol === "setup")).toBe(true);
  });

  it("leaves what follows a declaration's body (module-level statements, tables) out of its chunk", () => {
    const py = `class Color:
    def parse(self):
        return """
text at column 0 inside a string
"""

NAMES = {
    "red": 1,
}

def blend():
    pass
`;
    expect(chunkText(py, "python").map((c) => [c.kind, c.symbol, c.startLine, c.endLine])).toEqual([
      ["declaration", "Color", 1, 5],
      ["window", null, 7, 9],
      ["declaration", "blend", 11, 12],
    ]);
    const ts = `export function a() {
}
register(a);

export function b() {}
`;
    expect(chunkText(ts, "typescript").map((c) => [c.kind, c.symbol, c.startLine, c.endLine])).toEqual([
      ["declaration", "a", 1, 2],
      ["window", null, 3, 3],
      ["declaration", "b", 5, 5],
    ]);
  });

  it("keeps minified or one-line files within the chunk size", () => {
    const chunks = chunkText("x".repeat(20_000), "javascript");
    expect(chunks.length).toBe(1);
    expect(chunks[0]!.content.length).toBeLessThanOrEqual(6_000);
  });
});

describe("summaries", () => {
  it("says language, doc comment, exports and imports of a file", () => {
    const s = extractiveFileSummary("src/billing/invoice.ts", TS, "typescript");
    expect(s.symbols).toEqual(["createInvoice", "RefundService", "Audited", "InvoiceId", "main"]);
    expect(s.summary).toContain("TypeScript file invoice.ts");
    expect(s.summary).toContain("Billing: invoices and refunds.");
    expect(s.summary).toContain("Exports: createInvoice, RefundService");
    expect(s.summary).toContain("Imports: ./db, @/money");
    expect(s.summary).toContain("Also declares: RATE");
  });

  it("summarizes Python and Markdown", () => {
    const py = extractiveFileSummary("app/store.py", `"""Key-value store on disk."""\nimport os\nfrom json import dumps\n\ndef load(): pass\ndef _private(): pass\n`, "python");
    expect(py.summary).toContain("Key-value store on disk.");
    expect(py.symbols).toEqual(["load"]);
    expect(py.summary).toContain("Imports: json, os");
    const md = extractiveFileSummary("README.md", "# Ops\n\nRuns the ops.\n\n## Install\n## Usage\n", "markdown");
    expect(md.summary).toContain(`"Ops"`);
    expect(md.summary).toContain("Sections: Install; Usage");
  });

  it("lists the folders on a path deepest first and aggregates a folder", () => {
    expect(foldersOf(["a/b/c.ts", "a/d.ts", "e.md"])).toEqual(["a/b", "a", ""]);
    const { text, fileCount } = folderSummaryText(
      "src/billing",
      [{ path: "src/billing/invoice.ts", language: "typescript", symbols: ["createInvoice"], summary: "TypeScript file invoice.ts (20 lines). Billing: invoices. Exports: createInvoice." }],
      [{ path: "src/billing/stripe", file_count: 3 }],
    );
    expect(fileCount).toBe(4);
    expect(text).toContain("Folder src/billing: 4 files");
    expect(text).toContain("Subfolders: stripe (3)");
    expect(text).toContain("invoice.ts Billing: invoices. (createInvoice)");
  });
});
