// Checks that a feature's JSON result has the documented shape (README,
// "Intelligence features"): the fields, their types and their enums.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "zhi/features.hpp"

namespace zhi::features::testing {

// Empty when `r` has the shape; otherwise what is wrong.
std::string shape_problem(Feature feature, const nlohmann::json& r);

}  // namespace zhi::features::testing
