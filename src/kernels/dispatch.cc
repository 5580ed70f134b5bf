// The single dispatch point: builds each ISA's kernel table once and picks
// the active one. This is the only place that knows which ISAs a build has.
#include <cstdlib>
#include <string>

#include "kernels/kernel_table.h"

namespace zhi {
namespace {

constexpr int kNumIsas = 4;

struct Tables {
  KernelTable table[kNumIsas];
  bool available[kNumIsas] = {};
  Isa active = Isa::kScalar;
  Status selection;
};

Tables build_tables() {
  Tables t;
  auto idx = [](Isa isa) { return static_cast<int>(isa); };
  fill_scalar_kernels(t.table[idx(Isa::kScalar)]);
  t.available[idx(Isa::kScalar)] = true;
#if defined(__x86_64__)
  if (cpu_supports(Isa::kAvx2)) {
    t.table[idx(Isa::kAvx2)] = t.table[idx(Isa::kScalar)];
    fill_avx2_kernels(t.table[idx(Isa::kAvx2)]);
    t.available[idx(Isa::kAvx2)] = true;
  }
  if (cpu_supports(Isa::kAvx512)) {
    t.table[idx(Isa::kAvx512)] = t.table[idx(Isa::kAvx2)];
    fill_avx512_kernels(t.table[idx(Isa::kAvx512)]);
    t.available[idx(Isa::kAvx512)] = true;
  }
#elif defined(__aarch64__)
  if (cpu_supports(Isa::kNeon)) {
    t.table[idx(Isa::kNeon)] = t.table[idx(Isa::kScalar)];
    fill_neon_kernels(t.table[idx(Isa::kNeon)]);
    t.available[idx(Isa::kNeon)] = true;
  }
#endif
  Isa best = Isa::kScalar;
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512, Isa::kNeon})
    if (t.available[idx(isa)]) best = isa;
  t.active = best;
  if (const char* env = std::getenv("ZHI_ISA"); env != nullptr && *env != '\0') {
    const auto want = parse_isa(env);
    if (!want) {
      t.selection =
          invalid_argument(std::string("ZHI_ISA=") + env +
                           " is not one of scalar, avx2, avx512, neon; using " + isa_name(best));
    } else if (!t.available[idx(*want)]) {
      t.selection = unsupported(std::string("ZHI_ISA=") + env +
                                ": this CPU or build cannot run it; using " + isa_name(best));
    } else {
      t.active = *want;
    }
  }
  return t;
}

const Tables& tables() {
  static const Tables t = build_tables();
  return t;
}

}  // namespace

const KernelTable& active_kernels() {
  const Tables& t = tables();
  return t.table[static_cast<int>(t.active)];
}

const KernelTable* kernels_for(Isa isa) {
  const Tables& t = tables();
  return t.available[static_cast<int>(isa)] ? &t.table[static_cast<int>(isa)] : nullptr;
}

Status kernel_selection_status() { return tables().selection; }

}  // namespace zhi
