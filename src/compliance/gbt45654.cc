#include "compliance/gbt45654.h"

namespace zhi::compliance {

std::vector<std::string> gbt45654_risk_ids() {
  std::vector<std::string> ids;
  for (const RiskClassShape& c : kGbt45654Classes) {
    for (int i = 1; i <= c.risks; ++i) ids.push_back(std::string(c.id) + "." + std::to_string(i));
  }
  return ids;
}

}  // namespace zhi::compliance
