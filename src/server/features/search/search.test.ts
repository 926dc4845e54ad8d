import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { nearestTerms, proximityOf } from "./proximity";
import { distinctWords, globToRegex, pathPrefixHolds, searchWords, scanWords, splitIdentifiers, splitWords } from "./query";
import { idf, isSecondaryPath, KEPT_CHUNKS, rankFiles, reciprocalRankFusion, type ChunkSignals, type FileSignals } from "./rank";
import { highlightLine, snippetOf, wordMatches } from "./snippet";

/** Every word scanWords finds, in order, as text. */
const wordsInOrder = (text: string) => {
  const words: string[] = [];
  scanWords(text, (start, end, word) => words.push(word ?? text.slice(start, end)));
  return words;
};

describe("search terms", () => {
  it("splits identifiers like the index does", () => {
    expect(splitWords("parseSSEStream load_settings src/x-y.ts HTTPServer")).toEqual(["parse", "sse", "stream", "load", "settings", "src", "x", "y", "ts", "http", "server"]);
  });
  it("splits identifiers as the SQL function search_split_words does", () => {
    expect(splitIdentifiers("parseSSEStream(load_settings, 'x-y.ts') HTTPServer2D aB1cDE ABCdEF")).toBe("parse SSE Stream load settings x y ts HTTP Server2 D a B1c DE AB Cd EF");
    expect(splitIdentifiers("  __proto__ ")).toBe(" proto ");
    expect(splitIdentifiers("élanVital ÉCOLEÉtude 中文Abc")).toBe("élan Vital ÉCOLE Étude 中文Abc");
  });
  it("gives a chunk's distinct words: those of splitIdentifiers, each once, first seen first", () => {
    expect(distinctWords("getUser(user); getUser(id) // USER user_id")).toBe("get User user id USER");
    expect(distinctWords("")).toBe("");
    // the one-scan splitter against the regex passes on random text, ASCII and not
    const alphabet = ["a", "b", "Z", "Q", "0", "7", "_", "-", " ", ".", "\n", "é", "É", "ß", "中", "²", "😀", "Ǆ", "ǅ"];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 5000; n++) {
      const text = Array.from({ length: Math.floor(random() * 16) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      expect(distinctWords(text), JSON.stringify(text)).toBe([...new Set(splitIdentifiers(text).split(" ").filter(Boolean))].join(" "));
      expect(wordsInOrder(text), JSON.stringify(text)).toEqual(splitIdentifiers(text).split(" ").filter(Boolean));
    }
    expect(wordsInOrder("getUser(user); getUser(id)")).toEqual(["get", "User", "user", "get", "User", "id"]);
  });
  it("lets a path word extend a question word's stem by a few letters only", () => {
    expect(pathPrefixHolds("_vendor/partial-json-parser/parser.ts", "pars")).toBe(true);
    expect(pathPrefixHolds("lib/runner.ts", "run")).toBe(true);
    expect(pathPrefixHolds("lib/runtime.ts", "run")).toBe(false);
    expect(pathPrefixHolds("lib/parse.ts", "json")).toBe(false);
  });
  it("measures how near the question's words are, weighed by rarity", () => {
    const lexemes = ["incomplet", "json", "pars"];
    const weight = [3, 2, 1];
    expect(proximityOf("/** Parse incomplete JSON */", lexemes, weight)).toBe(1);
    const apart = `parse ${"x ".repeat(20)} incomplete ${"y ".repeat(20)} json`;
    expect(proximityOf(apart, lexemes, weight)).toBe(0);
    expect(proximityOf(`parseJSON(text) ${"z ".repeat(20)} incomplete`, lexemes, weight)).toBe(0.5);
    expect(proximityOf("parse parse parse", lexemes, weight)).toBe(0);
  });
  it("measures proximity alike word by word and from where the terms are found, to the last bit", () => {
    const dir = "src/server/features/search";
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(`${dir}/${f}`, "utf8"));
    const texts = [
      ...sources.flatMap((t) => Array.from({ length: Math.ceil(t.length / 1500) }, (_, i) => t.slice(i * 1500, i * 1500 + 1700))),
      "parseJSON(text) — an incompleteJSONParser → JSONParse_incomplete2parse",
      "HTTPServerParse parse9json 9parse x-json-incomplete … 😀 parse json",
      "Parse INCOMPLETE json, then parse again",
    ].filter((t) => !/(?=[^\x00-\x7f])[\p{L}\p{N}]/u.test(t)); // the texts inAscii is for
    const questions = [
      { lexemes: ["incomplet", "json", "pars"], weight: [3, 2, 1] },
      { lexemes: ["cach", "key", "limit", "rate"], weight: [0.7, 1.3, 2.9, 0.4] },
      { lexemes: ["lexem", "term", "word"], weight: [1.1, 0.3, 0.9] },
      { lexemes: ["c", "de", "re"], weight: [0.2, 1.7, 0.5] },
    ];
    let near = 0;
    for (const { lexemes, weight } of questions) {
      for (const window of [1, 3, 8]) {
        const terms = nearestTerms(lexemes, weight, window)!;
        for (const text of texts) {
          const all = terms.inAny(text);
          expect(Object.is(terms.inAscii(text), all), `${lexemes.join(" ")} within ${window} in ${JSON.stringify(text.slice(0, 60))}`).toBe(true);
          if (all > 0) near++;
        }
      }
    }
    expect(near).toBeGreaterThan(100);
  });
  it("drops question filler, unless nothing else is left", () => {
    expect(searchWords("Where is the retry logic handled?")).toEqual(["the", "retry"]);
    expect(searchWords("where is it")).toEqual(["it"]);
    expect(searchWords("how does it work")).toEqual(["it"]);
    expect(searchWords("where is")).toEqual(["where", "is"]);
  });
  it("turns globs into anchored path patterns", () => {
    const m = (glob: string, path: string) => new RegExp(globToRegex(glob)).test(path);
    expect(m("src/**/*.ts", "src/a/b/c.ts")).toBe(true);
    expect(m("src/**/*.ts", "src/c.ts")).toBe(true);
    expect(m("src/*.ts", "src/a/c.ts")).toBe(false);
    expect(m("*.md", "docs/a.md")).toBe(true);
    expect(m("src/server", "src/server/x.ts")).toBe(true);
    expect(m("src/server", "src/serverless.ts")).toBe(false);
    expect(m("a.b?", "a.bc")).toBe(true);
    expect(m("a.b?", "axbc")).toBe(false);
  });
});

describe("ranking", () => {
  const chunk = (fileKey: string, hits: number[], symHits: number[] = []): ChunkSignals => ({ fileKey, startLine: 1, endLine: 5, symbol: null, hits, symHits, fileSize: 100 });
  const file = (fileKey: string, f: Partial<FileSignals>): FileSignals => ({ fileKey, path: [], base: [], sym: [], summary: [], ...f });

  it("prefers rare terms, terms together in one chunk, and path matches", () => {
    const ranked = rankFiles(["a", "b"], [chunk("a", [0, 1]), chunk("b", [0]), chunk("b", [1]), chunk("c", [0]), chunk("d", [0])], [file("b", {})], { files: 100, meanSize: 100 });
    expect(ranked[0]!.fileKey).toBe("a");
    const withPath = rankFiles(["a", "b"], [chunk("a", [0]), chunk("b", [0])], [file("b", { path: [0], base: [0] })], { files: 100, meanSize: 100 });
    expect(withPath.map((r) => r.fileKey)).toEqual(["b", "a"]);
    expect(withPath[0]!.signals).toEqual(["fulltext", "path"]);
  });
  it("ranks tests and examples below the source they exercise, unless the question asks for them", () => {
    const lexemes = ["counter", "decreas"];
    const both = [chunk("r\u0000prometheus/counter_test.go", [0, 1]), chunk("r\u0000prometheus/counter.go", [0, 1])];
    expect(rankFiles(lexemes, both, [], { files: 100, meanSize: 100 })[0]!.fileKey).toBe("r\u0000prometheus/counter.go");
    const asked = [chunk("r\u0000prometheus/counter_test.go", [0, 1, 2]), chunk("r\u0000prometheus/counter.go", [0, 1])];
    expect(rankFiles([...lexemes, "test"], asked, [], { files: 100, meanSize: 100 })[0]!.fileKey).toBe("r\u0000prometheus/counter_test.go");
    for (const p of ["a/b_test.go", "tests/x.py", "pkg/test_cli.py", "src/__tests__/a.js", "src/a.spec.ts", "examples/basic.rs", "testdata/x.txt"]) expect(isSecondaryPath(p), p).toBe(true);
    for (const p of ["prometheus/testutil/testutil.go", "src/latest.ts", "contest.py", "src/attest/a.rs"]) expect(isSecondaryPath(p), p).toBe(false);
  });
  it("counts a file's coverage where the terms are found together or name it, not anywhere in it", () => {
    // "a" holds both terms but in different chunks; "b" holds them in one chunk
    const ranked = rankFiles(["x", "y"], [chunk("a", [0]), chunk("a", [1]), chunk("a", [0]), chunk("b", [0, 1])], [], { files: 100, meanSize: 100 });
    expect(ranked.map((r) => r.fileKey)).toEqual(["b", "a"]);
  });
  it("keeps a file's best chunks, best first, as sorting all of them would (ties by start line)", () => {
    // 40 chunks of one file holding random terms (their symbols too), so scores tie often
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const terms = (k: number) => [0, 1, 2].filter(() => random(k) === 0);
    const cs = Array.from({ length: 40 }, (_, i): ChunkSignals => ({ ...chunk("f", terms(2), terms(4)), startLine: 1 + ((i * 17) % 40) * 10, endLine: 9 + ((i * 17) % 40) * 10 }));
    const lexemes = ["x", "y", "z"];
    // the reference: every chunk scored by its terms' weights (all three in as many other files), sorted
    const others = lexemes.map((_, i) => chunk(`other${i}`, [i]));
    const [ranked] = rankFiles(lexemes, [...cs, ...others], [], { files: 100, meanSize: 100 }).filter((f) => f.fileKey === "f");
    const w = idf(100, 2);
    const expected = cs
      .map((c) => ({ startLine: c.startLine, score: c.hits.length * w + c.symHits.length * w }))
      .sort((a, b) => b.score - a.score || a.startLine - b.startLine)
      .slice(0, KEPT_CHUNKS);
    expect(ranked!.chunks.map((c) => c.startLine)).toEqual(expected.map((c) => c.startLine));
    expect(ranked!.chunks.map((c) => c.score)).toEqual(expected.map((c) => expect.closeTo(c.score, 12)));
  });
  it("scores two copies of a file the same, to the last bit, whatever order their chunks and fields come in", () => {
    // Postgres returns a file's chunks in no set order: the same file in two repos came back in two orders
    let seed = 11;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const shuffled = <T>(xs: T[]) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = random(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
    const lexemes = ["a", "b", "c", "d", "e", "f"];
    const some = () => lexemes.flatMap((_, i) => (random(2) ? [i] : []));
    for (let trial = 0; trial < 50; trial++) {
      const chunks = Array.from({ length: 8 }, (_, k) => {
        const hits = some();
        return { startLine: 1 + 10 * k, hits: hits.length ? hits : [0], sym: hits.filter(() => random(3) === 0) };
      });
      const fields = { path: some(), sym: some(), summary: some() };
      const copy = (repo: string, order: typeof chunks) => order.map((c) => ({ ...chunk(`${repo}\u0000src/x.ts`, c.hits, c.sym), startLine: c.startLine }));
      const fileOf = (repo: string, f: typeof fields) => file(`${repo}\u0000src/x.ts`, { path: f.path, base: f.path, sym: f.sym, summary: f.summary });
      // other files holding the terms, so that each term weighs differently
      const noise = lexemes.flatMap((_, i) => Array.from({ length: 1 + random(20) }, (_, k) => chunk(`c\u0000${i}-${k}.ts`, [i])));
      const ranked = rankFiles(
        lexemes,
        [...copy("a", chunks), ...copy("b", shuffled(chunks)), ...noise],
        [fileOf("a", fields), fileOf("b", { path: shuffled(fields.path), sym: shuffled(fields.sym), summary: shuffled(fields.summary) })],
        { files: 1000, meanSize: 100 },
      );
      const [a, b] = ["a", "b"].map((repo) => ranked.find((f) => f.fileKey.startsWith(repo))!);
      expect(a!.score, `trial ${trial}`).toBe(b!.score);
      expect(a!.chunks).toEqual(b!.chunks);
    }
  });
  it("uses BM25's IDF and RRF with k = 60", () => {
    expect(idf(10, 10)).toBeLessThan(idf(10, 1));
    const fused = reciprocalRankFusion([["x", "y"], ["y"]]);
    expect(fused.get("y")).toBeCloseTo(1 / 62 + 1 / 61);
    expect(fused.get("x")).toBeCloseTo(1 / 61);
  });
});

describe("snippets", () => {
  it("matches stems and escapes everything else", () => {
    expect(wordMatches("retries", "retri")).toBe(true);
    expect(wordMatches("retry", "retri")).toBe(true);
    expect(wordMatches("return", "retri")).toBe(false);
    expect(highlightLine(`<img src=x onerror="retry()">`, ["retri"]).html).toBe(`&lt;img src=x onerror=&quot;<mark>retry</mark>()&quot;&gt;`);
  });
  it("picks the window with the most matching lines", () => {
    const content = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "retry()", "j"].join("\n");
    const s = snippetOf(content, 10, ["retri"]);
    expect(s.startLine).toBe(12);
    expect(s.html).toContain("<mark>retry</mark>()");
  });
});
