#include "model/kv_cache.h"

#include <string>

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
  uint64_t total = 0;
  if (__builtin_mul_overflow(c.row_bytes_, static_cast<uint64_t>(n_layer * n_ctx), &total))
    return out_of_range("KV cache size overflows");
  if (total == 0) return invalid_argument("KV cache with no positions or no heads");
  // Fresh anonymous pages read as zeros, and only the positions a context
  // reaches become resident.
  c.k_ = PageBuffer::allocate(total);
  c.v_ = PageBuffer::allocate(total);
  if (c.k_.data() == nullptr || c.v_.data() == nullptr)
    return out_of_range("not enough memory for a KV cache of " + std::to_string(2 * total >> 20) +
                        " MiB (lower the context size with -c)");
  return c;
}

uint64_t KvCache::offset(int64_t layer, int64_t pos) const {
  return (static_cast<uint64_t>(layer) * n_ctx_ + static_cast<uint64_t>(pos)) * row_bytes_;
}

void KvCache::store(int64_t layer, int64_t pos, const float* k, const float* v) {
  const uint64_t off = offset(layer, pos);
  const int64_t n = n_head_kv_ * head_dim_;
  (void)quantize_row(type_, k, k_.data() + off, n);
  (void)quantize_row(type_, v, v_.data() + off, n);
}

void KvCache::load_k(int64_t layer, int64_t pos, int64_t h, float* dst) const {
  (void)dequantize_row(type_, k_.data() + offset(layer, pos) + h * head_bytes_, dst, head_dim_);
}

void KvCache::load_v(int64_t layer, int64_t pos, int64_t h, float* dst) const {
  (void)dequantize_row(type_, v_.data() + offset(layer, pos) + h * head_bytes_, dst, head_dim_);
}

}  // namespace zhi
