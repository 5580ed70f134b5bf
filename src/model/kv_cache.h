// Per-layer keys and values for every position of the context, stored in
// F16 (default), Q8_0 (half the memory) or F32.
//
// Positions go in chunks of kChunkPositions. Within a chunk, each layer's KV
// heads follow one another, and each head's positions are contiguous (a
// run): a decode step's attention reads one head on each thread, so each
// thread streams its own memory (position-major rows interleaved the heads,
// and each thread's hardware prefetcher brought in the other's lines too:
// attention at 1,024 positions took 8% less time head-major). Chunks keep
// the memory a context has reached dense, so a long context's cache becomes
// resident (in 2 MB pages) as it fills: spanning the whole context per head,
// a first token made 192 MB of a 32,768-token cache resident. Runs stay long
// enough to stream: with chunks of 256 positions, decode at 4,096 positions
// spent 3.7-4.4 ms per token in attention against 3.2-3.4 unchunked; with
// 1,024, 3.1-3.6.
//
// An F16 cache keeps its keys in key blocks (kernels/key_blocks.h): sixteen
// positions of a head transposed, so their scores fold with vertical adds
// (warm, 35 rather than 62 cycles per key for seven queries). Values, and
// the keys of the other types, are rows.
#pragma once

#include <cstdint>

#include "core/page_buffer.h"
#include "core/status.h"
#include "quant/ggml_type.h"

namespace zhi {

class KvCache {
 public:
  // A multiple of the key block (16) and of the value kernels' key block
  // (64). A chunk of the 0.5B model's F16 cache is 12 MB, of a 7B's 56 MB.
  static constexpr int64_t kChunkPositions = 1024;

  static Result<KvCache> create(int64_t n_layer, int64_t n_ctx, int64_t n_head_kv, int64_t head_dim,
                                GgmlType type);

  int64_t n_ctx() const { return n_ctx_; }
  GgmlType type() const { return type_; }
  uint64_t bytes() const { return k_.size() + v_.size(); }

  // k and v hold n_head_kv * head_dim floats for one position.
  void store(int64_t layer, int64_t pos, const float* k, const float* v);
  // Dequantized head `h` of position `pos` (head_dim floats).
  void load_k(int64_t layer, int64_t pos, int64_t h, float* dst) const;
  void load_v(int64_t layer, int64_t pos, int64_t h, float* dst) const;

  // For the attention kernels: head h of `layer` from position j to
  // run_end(j), contiguous. V is rows, position p lying p * pos_stride()
  // bytes after position 0 of the run; K is rows too, or key blocks when
  // k_blocks() (then j is a multiple of 16; a run is whole blocks, so a
  // kernel may read its last block whole).
  const uint8_t* k_at(int64_t layer, int64_t h, int64_t j) const;
  const uint8_t* v_at(int64_t layer, int64_t h, int64_t j) const;
  static int64_t run_end(int64_t j) { return (j / kChunkPositions + 1) * kChunkPositions; }
  bool k_blocks() const { return k_blocks_; }
  int64_t pos_stride() const { return static_cast<int64_t>(head_bytes_); }
  int64_t head_bytes() const { return static_cast<int64_t>(head_bytes_); }  // one head's row

  int64_t n_layer() const { return n_layer_; }
  int64_t n_head_kv() const { return n_head_kv_; }
  int64_t head_dim() const { return head_dim_; }

  // Saving and loading KV state (prompt cache files) uses position rows:
  // row p is every head's row of position p, one after another
  // (row_bytes() bytes). read_rows copies positions [0, n) of `layer`'s K
  // (or V) out as n such rows; write_rows puts them back. The rows' buffer
  // is 2-byte aligned (F16 keys are copied as halves).
  enum class Part { kK, kV };
  int64_t row_bytes() const { return static_cast<int64_t>(row_bytes_); }
  void read_rows(int64_t layer, Part part, int64_t n, uint8_t* dst) const;
  void write_rows(int64_t layer, Part part, int64_t n, const uint8_t* src);

 private:
  // Bytes from the buffer's start to position 0 of head h's run in the
  // chunk holding position j.
  uint64_t run_offset(int64_t layer, int64_t h, int64_t j) const;
  // Row of position j (V, and K when not in key blocks).
  uint64_t row_offset(int64_t layer, int64_t h, int64_t j) const;
  // Element 0 of key j in key blocks; element i lies 16 halves further.
  uint16_t* key_elems(int64_t layer, int64_t h, int64_t j) const;

  int64_t n_layer_ = 0, n_ctx_ = 0, n_head_kv_ = 0, head_dim_ = 0;
  GgmlType type_ = GgmlType::kF16;
  bool k_blocks_ = false;
  uint64_t head_bytes_ = 0, row_bytes_ = 0;
  // Page-aligned (and asked for huge pages), so an F16 head's 128-byte V rows
  // and 2 KB key blocks sit on cache lines: from a malloc'd block 16 bytes off, each row spanned
  // three lines, the kernels' prefetches missed the third, and a decode
  // step's attention over 1,024 cold positions ran about twice as long.
  PageBuffer k_, v_;
};

}  // namespace zhi
