// NEON scores over F16 key blocks: kernels/key_block_tree.h with four keys
// (a quarter of a block) per q register, four queries (20 registers)
// sharing each converted K row.
#include <arm_neon.h>

#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/key_block_tree.h"

namespace zhi {
namespace {

struct Keys4 {
  using Reg = float32x4_t;
  static constexpr int kKeys = 4;
  static constexpr int kQueries = 4;
  const uint8_t* b;
  Reg load(int64_t i) const {
    return vcvt_f32_f16(
        vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(b + i * kKeyBlock * 2))));
  }
  static Reg zero() { return vdupq_n_f32(0.0f); }
  static Reg add(Reg a, Reg c) { return vaddq_f32(a, c); }
  static Reg fma(Reg k, const float* x, Reg acc) { return vfmaq_n_f32(acc, k, *x); }
  static void store(float* out, Reg s, int64_t nk) {
    if (nk == kKeys) return vst1q_f32(out, s);
    float tmp[kKeys];
    vst1q_f32(tmp, s);
    std::memcpy(out, tmp, static_cast<size_t>(nk) * 4);
  }
  static void prefetch(const uint8_t* p, int64_t bytes) {
    for (int64_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
  }
};

}  // namespace

void fill_neon_key_blocks(KernelTable& t) { t.key_block_scores_f16 = key_block_scores_with<Keys4>; }

}  // namespace zhi
