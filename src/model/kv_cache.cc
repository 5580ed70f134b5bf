#include "model/kv_cache.h"

#include <cstring>
#include <string>

#include "core/half.h"
#include "kernels/key_blocks.h"
#include "quant/dequantize.h"
#include "quant/quantize.h"

namespace zhi {

Result<KvCache> KvCache::create(int64_t n_layer, int64_t n_ctx, int64_t n_head_kv, int64_t head_dim,
                                GgmlType type) {
  if (type != GgmlType::kF16 && type != GgmlType::kQ8_0 && type != GgmlType::kF32)
    return invalid_argument(std::string("KV cache type ") + type_name(type) +
                            " (supported: f16, q8_0, f32)");
  ZHI_ASSIGN_OR_RETURN(uint64_t head_bytes, row_size_bytes(type, head_dim));
  KvCache c;
  c.n_layer_ = n_layer;
  c.n_ctx_ = n_ctx;
  c.n_head_kv_ = n_head_kv;
  c.head_dim_ = head_dim;
  c.type_ = type;
  c.head_bytes_ = head_bytes;
  c.row_bytes_ = head_bytes * static_cast<uint64_t>(n_head_kv);
  c.k_blocks_ = type == GgmlType::kF16;
  uint64_t total = 0, k_total = 0;
  if (__builtin_mul_overflow(c.row_bytes_, static_cast<uint64_t>(n_layer * n_ctx), &total))
    return out_of_range("KV cache size overflows");
  if (total == 0) return invalid_argument("KV cache with no positions or no heads");
  const uint64_t k_positions =
      c.k_blocks_ ? (static_cast<uint64_t>(n_ctx) + kKeyBlock - 1) / kKeyBlock * kKeyBlock
                  : static_cast<uint64_t>(n_ctx);
  if (__builtin_mul_overflow(head_bytes, k_positions, &c.k_head_span_) ||
      __builtin_mul_overflow(c.k_head_span_, static_cast<uint64_t>(n_layer * n_head_kv), &k_total))
    return out_of_range("KV cache size overflows");
  // Fresh anonymous pages read as zeros, and only the positions a context
  // reaches become resident.
  c.k_ = PageBuffer::allocate(k_total);
  c.v_ = PageBuffer::allocate(total);
  if (c.k_.data() == nullptr || c.v_.data() == nullptr)
    return out_of_range("not enough memory for a KV cache of " +
                        std::to_string((k_total + total) >> 20) +
                        " MiB (lower the context size with -c)");
  return c;
}

uint64_t KvCache::offset(int64_t layer, int64_t h, int64_t pos) const {
  const uint64_t n_ctx = static_cast<uint64_t>(n_ctx_);
  return static_cast<uint64_t>(layer) * n_ctx * row_bytes_ +
         (static_cast<uint64_t>(h) * n_ctx + static_cast<uint64_t>(pos)) * head_bytes_;
}

uint64_t KvCache::k_offset(int64_t layer, int64_t h) const {
  return (static_cast<uint64_t>(layer) * static_cast<uint64_t>(n_head_kv_) +
          static_cast<uint64_t>(h)) *
         k_head_span_;
}

// Element 0 of the key at `pos`; element i is kKeyBlock halves further.
uint16_t* KvCache::k_block_elem(int64_t layer, int64_t h, int64_t pos) {
  return reinterpret_cast<uint16_t*>(k_.data() + k_offset(layer, h) +
                                     key_block_offset(pos, 0, head_dim_));
}

const uint16_t* KvCache::k_block_elem(int64_t layer, int64_t h, int64_t pos) const {
  return reinterpret_cast<const uint16_t*>(k_.data() + k_offset(layer, h) +
                                           key_block_offset(pos, 0, head_dim_));
}

void KvCache::store(int64_t layer, int64_t pos, const float* k, const float* v) {
  for (int64_t h = 0; h < n_head_kv_; ++h) {
    const float* kh = k + h * head_dim_;
    if (k_blocks_) {
      uint16_t* dst = k_block_elem(layer, h, pos);
      for (int64_t i = 0; i < head_dim_; ++i) dst[i * kKeyBlock] = f32_to_f16(kh[i]);
    } else {
      (void)quantize_row(type_, kh, k_.data() + k_offset(layer, h) + pos * head_bytes_, head_dim_);
    }
    (void)quantize_row(type_, v + h * head_dim_, v_.data() + offset(layer, h, pos), head_dim_);
  }
}

void KvCache::load_k(int64_t layer, int64_t pos, int64_t h, float* dst) const {
  if (k_blocks_) {
    const uint16_t* src = k_block_elem(layer, h, pos);
    for (int64_t i = 0; i < head_dim_; ++i) dst[i] = f16_to_f32(src[i * kKeyBlock]);
    return;
  }
  (void)dequantize_row(type_, k_.data() + k_offset(layer, h) + pos * head_bytes_, dst, head_dim_);
}

void KvCache::load_v(int64_t layer, int64_t pos, int64_t h, float* dst) const {
  (void)dequantize_row(type_, v_.data() + offset(layer, h, pos), dst, head_dim_);
}

void KvCache::read_rows(int64_t layer, Part part, int64_t n, uint8_t* dst) const {
  const bool keys = part == Part::kK;
  for (int64_t h = 0; h < n_head_kv_; ++h) {
    if (keys && k_blocks_) {
      const uint8_t* blocks = k_head(layer, h);
      for (int64_t p = 0; p < n; ++p)
        get_key(blocks, head_dim_, p,
                reinterpret_cast<uint16_t*>(dst + p * row_bytes_ + h * head_bytes_));
      continue;
    }
    const uint8_t* src = keys ? k_head(layer, h) : v_head(layer, h);
    for (int64_t p = 0; p < n; ++p)
      std::memcpy(dst + p * row_bytes_ + h * head_bytes_, src + p * head_bytes_, head_bytes_);
  }
}

void KvCache::write_rows(int64_t layer, Part part, int64_t n, const uint8_t* src) {
  const bool keys = part == Part::kK;
  for (int64_t h = 0; h < n_head_kv_; ++h) {
    if (keys && k_blocks_) {
      uint8_t* blocks = k_.data() + k_offset(layer, h);
      for (int64_t p = 0; p < n; ++p)
        put_key(reinterpret_cast<const uint16_t*>(src + p * row_bytes_ + h * head_bytes_),
                head_dim_, p, blocks);
      continue;
    }
    uint8_t* dst = (keys ? k_.data() + k_offset(layer, h) : v_.data() + offset(layer, h, 0));
    for (int64_t p = 0; p < n; ++p)
      std::memcpy(dst + p * head_bytes_, src + p * row_bytes_ + h * head_bytes_, head_bytes_);
  }
}

}  // namespace zhi
