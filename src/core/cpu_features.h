// What the CPU can run, detected once. Kernels are chosen from this (and the
// ZHI_ISA override) in one place: kernels/kernel_table.h.
#pragma once

#include <optional>
#include <string_view>

namespace zhi {

// Instruction-set levels the kernels are built for, narrowest first.
enum class Isa { kScalar, kAvx2, kAvx512, kNeon };

struct CpuFeatures {
  // x86-64
  bool avx2 = false, fma = false, f16c = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
  bool avx512vnni = false, avx512bf16 = false;
  bool gfni = false;  // Galois-field affine byte transforms (bit moves inside bytes)
  bool avxvnni = false;  // VEX-encoded vpdpbusd on ymm (AVX-VNNI), with or without AVX-512
  // AArch64
  bool neon = false, dotprod = false, i8mm = false, fp16 = false;
};

const CpuFeatures& cpu_features();

// True when this CPU runs the kernels built for `isa` (the build having them
// is the kernel table's business).
bool cpu_supports(Isa isa);

// The widest ISA this CPU runs.
Isa best_isa();

const char* isa_name(Isa isa);
// "scalar", "avx2", "avx512", "neon" (case-sensitive, as ZHI_ISA takes them).
std::optional<Isa> parse_isa(std::string_view name);

}  // namespace zhi
