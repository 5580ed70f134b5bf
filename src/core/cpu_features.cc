#include "core/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace zhi {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// The OS must save the wide registers on context switch (XCR0), or the
// instructions fault even though CPUID lists them.
uint64_t read_xcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1;
  if (!osxsave) return f;
  const uint64_t xcr0 = read_xcr0();
  const bool ymm_ok = (xcr0 & 0x6) == 0x6;     // SSE and AVX state
  const bool zmm_ok = (xcr0 & 0xe6) == 0xe6;   // plus opmask and upper zmm state
  f.fma = ymm_ok && ((c >> 12) & 1);
  f.f16c = ymm_ok && ((c >> 29) & 1);
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  f.avx2 = ymm_ok && ((b >> 5) & 1);
  f.avx512f = zmm_ok && ((b >> 16) & 1);
  f.avx512dq = zmm_ok && ((b >> 17) & 1);
  f.avx512bw = zmm_ok && ((b >> 30) & 1);
  f.avx512vl = zmm_ok && ((b >> 31) & 1);
  f.avx512vnni = zmm_ok && ((c >> 11) & 1);
  f.gfni = (c >> 8) & 1;
  unsigned a1, b1, c1, d1;
  __cpuid_count(7, 1, a1, b1, c1, d1);
  f.avx512bf16 = zmm_ok && ((a1 >> 5) & 1);
  f.avxvnni = ymm_ok && ((a1 >> 4) & 1);
  return f;
}
#elif defined(__aarch64__) && defined(__linux__)
CpuFeatures detect() {
  CpuFeatures f;
  const unsigned long hw = getauxval(AT_HWCAP);
  const unsigned long hw2 = getauxval(AT_HWCAP2);
  f.neon = true;  // Advanced SIMD is mandatory on AArch64
  f.fp16 = (hw >> 9) & 1;     // HWCAP_FPHP
  f.dotprod = (hw >> 20) & 1; // HWCAP_ASIMDDP
  f.i8mm = (hw2 >> 13) & 1;   // HWCAP2_I8MM
  return f;
}
#elif defined(__aarch64__)
CpuFeatures detect() {
  CpuFeatures f;
  f.neon = true;
  return f;
}
#else
CpuFeatures detect() { return {}; }
#endif

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

bool cpu_supports(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::kScalar: return true;
    case Isa::kAvx2: return f.avx2 && f.fma && f.f16c;
    // The AVX-512 kernels use VNNI for int8 dot products; BF16 is optional
    // inside them (checked per kernel), the rest is the Zen 4 / Ice Lake set.
    case Isa::kAvx512:
      return cpu_supports(Isa::kAvx2) && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni;
    // The NEON kernels use sdot (ARMv8.2 dotprod), present on every phone
    // core since 2017; older cores take the scalar path.
    case Isa::kNeon: return f.neon && f.dotprod;
  }
  return false;
}

Isa best_isa() {
  if (cpu_supports(Isa::kAvx512)) return Isa::kAvx512;
  if (cpu_supports(Isa::kAvx2)) return Isa::kAvx2;
  if (cpu_supports(Isa::kNeon)) return Isa::kNeon;
  return Isa::kScalar;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
    case Isa::kNeon: return "neon";
  }
  return "?";
}

std::optional<Isa> parse_isa(std::string_view name) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512, Isa::kNeon})
    if (name == isa_name(isa)) return isa;
  return std::nullopt;
}

}  // namespace zhi
