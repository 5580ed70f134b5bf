// The shape of the GB/T 45654-2025 risk taxonomy (Appendix A: main safety
// risks of corpora and generated content): 5 classes, 31 risks. A pack whose
// taxonomy claims the standard must define every one of these ids; its names,
// actions and refusals are data in the pack.
//   A1 violates core socialist values (8)   A2 discrimination (9)
//   A3 commercial violations (5)            A4 infringes others' rights (7)
//   A5 cannot meet a service type's safety needs: inaccurate, unreliable (2)
#pragma once

#include <string>
#include <vector>

namespace zhi::compliance {

constexpr const char* kGbt45654 = "GB/T 45654-2025";

struct RiskClassShape {
  const char* id;
  int risks;
};
constexpr RiskClassShape kGbt45654Classes[] = {
    {"A1", 8}, {"A2", 9}, {"A3", 5}, {"A4", 7}, {"A5", 2}};

// "A1.1" ... "A5.2", in order.
std::vector<std::string> gbt45654_risk_ids();

}  // namespace zhi::compliance
