#include "model/qwen2_shapes.h"

namespace zhi {
namespace {

// From the Qwen2.5 config.json files. "tiny" mirrors the conformance models.
const Qwen2Shape kShapes[] = {
    {"tiny", 256, 2, 4, 2, 768, 1024, 4096, true},
    {"0.5b", 896, 24, 14, 2, 4864, 151936, 32768, true},
    {"1.5b", 1536, 28, 12, 2, 8960, 151936, 32768, true},
    {"3b", 2048, 36, 16, 2, 11008, 151936, 32768, true},
    {"7b", 3584, 28, 28, 4, 18944, 152064, 32768, false},
};

}  // namespace

Result<Qwen2Shape> find_qwen2_shape(const std::string& name) {
  for (const auto& s : kShapes)
    if (s.name == name) return s;
  std::string all;
  for (const auto& n : qwen2_shape_names()) all += (all.empty() ? "" : ", ") + n;
  return invalid_argument("unknown shape '" + name + "' (choose one of: " + all + ")");
}

std::vector<std::string> qwen2_shape_names() {
  std::vector<std::string> names;
  for (const auto& s : kShapes) names.push_back(s.name);
  return names;
}

}  // namespace zhi
