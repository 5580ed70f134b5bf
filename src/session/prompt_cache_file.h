// Prompt cache files: a prompt prefix's KV rows kept on disk, so a later run
// (another process) with a prompt that starts the same way evaluates only the
// rest. One file per stored prefix, in one directory:
//
//   DIR/<hash of model id and KV layout, 16 hex>-<hash of the token ids, 16 hex>.zkv
//
// File layout (little-endian):
//   header (80 bytes):
//     magic "ZHIKVC\r\n", u32 version (1), u32 KV type (GgmlType),
//     u64 model id, u64 n_layer, u64 n_head_kv, u64 head_dim,
//     u64 row bytes (one position of one layer, K or V), u64 token count n,
//     u64 payload hash, u64 header hash (of the 72 bytes before it)
//   payload: n i32 token ids, then per layer the K rows of positions [0, n)
//     followed by the V rows of positions [0, n), in the cache's own format.
//
// The model id hashes what the KV rows depend on: the hyperparameters, every
// tensor's name, type and shape, and sampled bytes of every tensor's data
// (its first, middle and last 4 KiB). Tensor metadata alone would match two
// fine-tunes of one base model, whose KV rows differ; a file's name, size and
// mtime would miss a copied file and could match a replaced one; hashing
// every byte would cost seconds per load for a multi-GB model. Sampling every
// tensor tells fine-tunes and requantizations apart (their weights differ
// throughout) for a few MiB of reads.
//
// Loading validates everything (magic, version, both hashes, model id, KV
// layout, sizes, token ids) before a byte reaches the context; a file that
// fails is skipped with a warning naming it and why, so a bad file costs a
// cold start, never a crash or wrong output. Writing goes to a temporary
// file renamed into place, so readers never see half a file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/qwen2_context.h"
#include "model/qwen2_model.h"

namespace zhi {

// What KV rows of `model` depend on; see above.
uint64_t model_identity(const Qwen2Model& model);

// The 64-bit hash used for file names and checksums (word-wise multiply-xor
// with a final mix: any single changed 8-byte word changes it).
uint64_t hash_bytes(const void* data, size_t n, uint64_t seed = 0);

class PromptCacheDir {
 public:
  PromptCacheDir(std::string dir, uint64_t model_id, int64_t n_vocab);

  const std::string& dir() const { return dir_; }
  uint64_t model_id() const { return model_id_; }

  // Loads into `ctx` the stored prefix sharing the most leading tokens with
  // `tokens`, at most `max_tokens` of them, when that beats `min_useful`.
  // Returns the positions ctx now holds from the file (0: nothing loaded, ctx
  // untouched). Files skipped as invalid add a line to `warnings`; a file
  // whose contents fail their checksum is removed so the next save replaces it.
  int64_t load(Qwen2Context& ctx, std::span<const int32_t> tokens, int64_t max_tokens,
               int64_t min_useful, std::vector<std::string>* warnings) const;

  // Stores positions [0, tokens.size()) of ctx, which must hold `tokens` as
  // its first positions. Creates the directory; skips the write when a valid
  // file for exactly these tokens is already there.
  Status save(const Qwen2Context& ctx, std::span<const int32_t> tokens) const;

 private:
  std::string dir_;
  uint64_t model_id_;
  int64_t n_vocab_;
};

}  // namespace zhi
