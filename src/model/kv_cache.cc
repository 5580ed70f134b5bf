#include "model/kv_cache.h"

#include <cstring>
#include <string>

#include "core/half.h"
#include "kernels/key_blocks.h"
#include "quant/dequantize.h"
#include "quant/quantize.h"

namespace zhi {

static_assert(KvCache::kChunkPositions % kKeyBlock == 0 && KvCache::kChunkPositions % 64 == 0);

Result<KvCache> KvCache::create(int64_t n_layer, int64_t n_ctx, int64_t n_head_kv, int64_t head_dim,
                                GgmlType type) {
  if (type != GgmlType::kF16 && type != GgmlType::kQ8_0 && type != GgmlType::kF32)
    return invalid_argument(std::string("KV cache type ") + type_name(type) +
                            " (supported: f16, q8_0, f32)");
  if (n_layer <= 0 || n_ctx <= 0 || n_head_kv <= 0 || head_dim <= 0)
    return invalid_argument("KV cache with no positions or no heads");
  ZHI_ASSIGN_OR_RETURN(uint64_t head_bytes, row_size_bytes(type, head_dim));
  KvCache c;
  c.n_layer_ = n_layer;
  c.n_ctx_ = n_ctx;
  c.n_head_kv_ = n_head_kv;
  c.head_dim_ = head_dim;
  c.type_ = type;
  c.head_bytes_ = head_bytes;
  if (__builtin_mul_overflow(head_bytes, static_cast<uint64_t>(n_head_kv), &c.row_bytes_))
    return out_of_range("KV cache size overflows");
  c.k_blocks_ = type == GgmlType::kF16;
  // Whole chunks: the last one padded past n_ctx.
  const uint64_t positions =
      (static_cast<uint64_t>(n_ctx) + kChunkPositions - 1) / kChunkPositions * kChunkPositions;
  uint64_t per_layer = 0, total = 0;
  if (__builtin_mul_overflow(c.row_bytes_, positions, &per_layer) ||
      __builtin_mul_overflow(per_layer, static_cast<uint64_t>(n_layer), &total))
    return out_of_range("KV cache size overflows");
  // Fresh anonymous pages read as zeros, and only the chunks a context
  // reaches become resident.
  c.k_ = PageBuffer::allocate(total);
  c.v_ = PageBuffer::allocate(total);
  if (c.k_.data() == nullptr || c.v_.data() == nullptr)
    return out_of_range("not enough memory for a KV cache of " + std::to_string(total >> 19) +
                        " MiB (lower the context size with -c)");
  return c;
}

uint64_t KvCache::run_offset(int64_t layer, int64_t h, int64_t j) const {
  const uint64_t chunk = static_cast<uint64_t>(j / kChunkPositions);
  const uint64_t run = (chunk * static_cast<uint64_t>(n_layer_) + static_cast<uint64_t>(layer)) *
                           static_cast<uint64_t>(n_head_kv_) +
                       static_cast<uint64_t>(h);
  return run * static_cast<uint64_t>(kChunkPositions) * head_bytes_;
}

uint64_t KvCache::row_offset(int64_t layer, int64_t h, int64_t j) const {
  return run_offset(layer, h, j) + static_cast<uint64_t>(j % kChunkPositions) * head_bytes_;
}

uint16_t* KvCache::key_elems(int64_t layer, int64_t h, int64_t j) const {
  return reinterpret_cast<uint16_t*>(k_.data() + run_offset(layer, h, j) +
                                     key_block_offset(j % kChunkPositions, 0, head_dim_));
}

const uint8_t* KvCache::k_at(int64_t layer, int64_t h, int64_t j) const {
  if (k_blocks_) return reinterpret_cast<const uint8_t*>(key_elems(layer, h, j));
  return k_.data() + row_offset(layer, h, j);
}

const uint8_t* KvCache::v_at(int64_t layer, int64_t h, int64_t j) const {
  return v_.data() + row_offset(layer, h, j);
}

void KvCache::store(int64_t layer, int64_t pos, const float* k, const float* v) {
  for (int64_t h = 0; h < n_head_kv_; ++h) {
    const float* kh = k + h * head_dim_;
    if (k_blocks_) {
      uint16_t* dst = key_elems(layer, h, pos);
      for (int64_t i = 0; i < head_dim_; ++i) dst[i * kKeyBlock] = f32_to_f16(kh[i]);
    } else {
      (void)quantize_row(type_, kh, k_.data() + row_offset(layer, h, pos), head_dim_);
    }
    (void)quantize_row(type_, v + h * head_dim_, v_.data() + row_offset(layer, h, pos), head_dim_);
  }
}

void KvCache::load_k(int64_t layer, int64_t pos, int64_t h, float* dst) const {
  if (k_blocks_) {
    const uint16_t* src = key_elems(layer, h, pos);
    for (int64_t i = 0; i < head_dim_; ++i) dst[i] = f16_to_f32(src[i * kKeyBlock]);
    return;
  }
  (void)dequantize_row(type_, k_.data() + row_offset(layer, h, pos), dst, head_dim_);
}

void KvCache::load_v(int64_t layer, int64_t pos, int64_t h, float* dst) const {
  (void)dequantize_row(type_, v_.data() + row_offset(layer, h, pos), dst, head_dim_);
}

void KvCache::read_rows(int64_t layer, Part part, int64_t n, uint8_t* dst) const {
  const bool keys = part == Part::kK;
  for (int64_t p = 0; p < n; ++p) {
    for (int64_t h = 0; h < n_head_kv_; ++h) {
      uint8_t* row = dst + p * row_bytes_ + h * head_bytes_;
      if (keys && k_blocks_) {
        get_key(k_.data() + run_offset(layer, h, p), head_dim_, p % kChunkPositions,
                reinterpret_cast<uint16_t*>(row));
      } else {
        std::memcpy(row, (keys ? k_ : v_).data() + row_offset(layer, h, p), head_bytes_);
      }
    }
  }
}

void KvCache::write_rows(int64_t layer, Part part, int64_t n, const uint8_t* src) {
  const bool keys = part == Part::kK;
  for (int64_t p = 0; p < n; ++p) {
    for (int64_t h = 0; h < n_head_kv_; ++h) {
      const uint8_t* row = src + p * row_bytes_ + h * head_bytes_;
      if (keys && k_blocks_) {
        put_key(reinterpret_cast<const uint16_t*>(row), head_dim_, p % kChunkPositions,
                k_.data() + run_offset(layer, h, p));
      } else {
        std::memcpy((keys ? k_ : v_).data() + row_offset(layer, h, p), row, head_bytes_);
      }
    }
  }
}

}  // namespace zhi
