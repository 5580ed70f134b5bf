#include "compliance/ascii_block.h"

#include "compliance/ascii_block_scalar.h"
#include "core/cpu_features.h"

namespace zhi::compliance {

bool ascii_block_simd() {
#if defined(__x86_64__)
  // cpu_features() checks that the OS saves the zmm state; VBMI is asked here.
  static const bool ok = cpu_features().avx512bw && __builtin_cpu_supports("avx512vbmi") &&
                         __builtin_cpu_supports("avx512vbmi2");
  return ok;
#else
  return false;
#endif
}

#if !defined(__x86_64__)  // the AVX-512 file is x86-only (src/compliance/x86/)
void classify_ascii_block_avx512(const unsigned char* p, size_t n, const AsciiTables& t,
                                 AsciiBlock& out) {
  classify_ascii_block_scalar(p, n, t, out);
}
uint64_t write_ascii_skeleton_avx512(const AsciiBlock& b, uint64_t begin, uint32_t gap,
                                     uint32_t flags, uint32_t max_gap, SkelChar* ring,
                                     uint64_t count, uint8_t* at) {
  return write_ascii_skeleton_scalar(b, begin, gap, flags, max_gap, ring, count, at);
}
#endif

}  // namespace zhi::compliance
