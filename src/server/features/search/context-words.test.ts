import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { textWords, wordsMatcher } from "./context-words";
import { wordMatches } from "./snippet";

/** The context entries' words as the unified search first read them: Unicode regexes over the whole text. */
const byRegex = (text: string) =>
  text
    .split(/[^\p{L}\p{N}]+/u)
    .flatMap((t) =>
      t
        .replace(/([\p{Ll}\p{Nd}])(\p{Lu})/gu, "$1 $2")
        .toLowerCase()
        .split(" "),
    )
    .filter((w) => w !== "");
const foundByRegex = (text: string, words: string[]) => words.filter((w) => byRegex(text).some((h) => wordMatches(h, w))).length;

const PIECES = ["a", "b", "z", "A", "Z", "ab", "Ab", "AB", "0", "9", "map", "Key", "KEY", "x1Y", "_", "-", " ", ".", "'", '"', "/", "{", ":", "\n", "\t"];
/** Letters whose lower case is not one letter for one, or depends on what follows (Σ), and letters outside ASCII. */
const UNICODE = ["Σ", "σ", "ς", "ΟΔΟΣ", "İ", "ı", "ß", "ẞ", "ﬁ", "é", "É", "日本", "𠀀", "😀", "\u0307", "Ⅻ", "²"];
const asciiText = fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((p) => p.join(""));
const anyText = fc.array(fc.constantFrom(...PIECES, ...UNICODE), { maxLength: 30 }).map((p) => p.join(""));
const searchWord = fc.array(fc.constantFrom("a", "b", "ab", "map", "key", "x", "1", "σ", "ς", "οδος", "i̇", "ß", "日本", "é", "ﬁ"), { minLength: 1, maxLength: 4 }).map((p) => p.join(""));

describe("context entries' words", () => {
  it("splits text exactly as the Unicode regexes do", () => {
    fc.assert(
      fc.property(fc.oneof(asciiText, anyText, fc.string({ unit: "binary", maxLength: 20 })), (text) => {
        expect(textWords(text).filter((w) => w !== "")).toEqual(byRegex(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("splits camelCase after a lower-case letter or a digit, not inside capitals", () => {
    expect(textWords('{"note":"rateLimit x1Y HTTPServer parse_JSON"}')).toEqual(["note", "rate", "limit", "x1", "y", "httpserver", "parse", "json"]);
    expect(textWords("ΟΔΟΣ καλΌς 𠀀x1Ⅻ")).toEqual(["οδος", "καλ", "ός", "𠀀x1ⅻ"]);
  });

  it("counts the search words a text holds as matching every word of it would, for any text", () => {
    fc.assert(
      fc.property(anyText, fc.array(searchWord, { minLength: 1, maxLength: 4 }), (text, words) => {
        expect(wordsMatcher(words)(text)).toBe(foundByRegex(text, words));
      }),
      { numRuns: 5000 },
    );
  });

  it("finds a word by its stem and a final sigma whatever follows it", () => {
    expect(wordsMatcher(["retry", "limit"])('{"note":"retries of the rateLimit"}')).toBe(2);
    // the whole text lower-cases this Σ as σ (a letter follows the apostrophe), the word alone as ς
    expect("ΟΣ'Α".toLowerCase()).toBe("οσ'α");
    expect(wordsMatcher(["ος"])("ΟΣ'Α")).toBe(1);
    expect(wordsMatcher(["audit"])("nothing here")).toBe(0);
  });
});
