#include "quant/preset.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace zhi {
namespace {

struct PresetInfo {
  Preset preset;
  const char* name;
  uint32_t file_type;  // LLAMA_FTYPE_*
  GgmlType default_type;
};

constexpr std::array kPresets = {
    PresetInfo{Preset::kF32, "F32", 0, GgmlType::kF32},
    PresetInfo{Preset::kF16, "F16", 1, GgmlType::kF16},
    PresetInfo{Preset::kBF16, "BF16", 32, GgmlType::kBF16},
    PresetInfo{Preset::kQ4_0, "Q4_0", 2, GgmlType::kQ4_0},
    PresetInfo{Preset::kQ4_1, "Q4_1", 3, GgmlType::kQ4_1},
    PresetInfo{Preset::kQ5_0, "Q5_0", 8, GgmlType::kQ5_0},
    PresetInfo{Preset::kQ5_1, "Q5_1", 9, GgmlType::kQ5_1},
    PresetInfo{Preset::kQ8_0, "Q8_0", 7, GgmlType::kQ8_0},
    PresetInfo{Preset::kQ2_K, "Q2_K", 10, GgmlType::kQ2_K},
    PresetInfo{Preset::kQ3_K_M, "Q3_K_M", 12, GgmlType::kQ3_K},
    PresetInfo{Preset::kQ4_K_S, "Q4_K_S", 14, GgmlType::kQ4_K},
    PresetInfo{Preset::kQ4_K_M, "Q4_K_M", 15, GgmlType::kQ4_K},
    PresetInfo{Preset::kQ5_K_S, "Q5_K_S", 16, GgmlType::kQ5_K},
    PresetInfo{Preset::kQ5_K_M, "Q5_K_M", 17, GgmlType::kQ5_K},
    PresetInfo{Preset::kQ6_K, "Q6_K", 18, GgmlType::kQ6_K},
    PresetInfo{Preset::kIQ4_NL, "IQ4_NL", 25, GgmlType::kIQ4_NL},
    PresetInfo{Preset::kIQ4_XS, "IQ4_XS", 30, GgmlType::kIQ4_XS},
};

const PresetInfo& info(Preset p) {
  for (const auto& i : kPresets) {
    if (i.preset == p) return i;
  }
  return kPresets[0];  // unreachable: every enumerator has a row
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

enum class Role { kTokenEmbd, kOutput, kAttnQkv, kAttnV, kAttnK, kAttnQ, kAttnOutput, kFfnUp, kFfnGate, kFfnDown, kOther };

// Same matching order as the reference: exact names first, then substrings.
Role role_of(const std::string& name) {
  if (name == "output.weight") return Role::kOutput;
  if (name == "token_embd.weight") return Role::kTokenEmbd;
  if (contains(name, "attn_qkv.weight")) return Role::kAttnQkv;
  if (contains(name, "attn_v.weight")) return Role::kAttnV;
  if (contains(name, "attn_k.weight")) return Role::kAttnK;
  if (contains(name, "attn_q.weight")) return Role::kAttnQ;
  if (contains(name, "attn_output.weight")) return Role::kAttnOutput;
  if (contains(name, "ffn_up")) return Role::kFfnUp;
  if (contains(name, "ffn_gate")) return Role::kFfnGate;
  if (contains(name, "ffn_down")) return Role::kFfnDown;
  return Role::kOther;
}

// Matrices only; norms and router/gating tensors stay as they are.
bool is_quantizable(const std::string& name, const std::vector<int64_t>& dims) {
  return dims.size() >= 2 && ends_with(name, "weight") && !contains(name, "_norm.weight") &&
         !contains(name, "ffn_gate_inp.weight");
}

// The reference's "use more bits" layers: the first and last eighth, and
// every third layer in between. n_layers/8 and 7·n_layers/8 are integer divisions.
bool use_more_bits(int layer, int n_layers) {
  return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

bool fits(GgmlType type, int64_t row_length) { return row_length % type_info(type).block_elems == 0; }

// Type before the shape fallback. `layer` is the N of "blk.N." (-1 if none).
GgmlType choose(Preset p, Role role, int64_t row_length, int layer, const PresetModelShape& m) {
  const GgmlType def = info(p).default_type;
  const int n = m.n_layers;
  const int gqa = m.n_head_kv > 0 ? m.n_head / m.n_head_kv : 0;

  // Tied models use token_embd as the output projection, so it gets the
  // output's treatment: Q6_K, or Q8_0 where rows do not fit K-quant blocks.
  if (role == Role::kOutput || (!m.has_output && role == Role::kTokenEmbd)) {
    if (row_length % kQK_K != 0) return GgmlType::kQ8_0;
    return def == GgmlType::kQ8_0 ? def : GgmlType::kQ6_K;
  }
  switch (role) {
    case Role::kAttnV:
      if (p == Preset::kQ2_K) return gqa >= 4 ? GgmlType::kQ4_K : GgmlType::kQ3_K;
      if (p == Preset::kQ3_K_M) return layer < 2 ? GgmlType::kQ5_K : GgmlType::kQ4_K;
      if ((p == Preset::kIQ4_NL || p == Preset::kIQ4_XS) && gqa >= 4) return GgmlType::kQ5_K;
      if ((p == Preset::kQ4_K_M || p == Preset::kQ5_K_M) && use_more_bits(layer, n)) return GgmlType::kQ6_K;
      if (p == Preset::kQ4_K_S && layer < 4) return GgmlType::kQ5_K;
      return def;
    case Role::kFfnDown:
      if (p == Preset::kQ2_K) return GgmlType::kQ3_K;
      if (p == Preset::kQ3_K_M) return layer < n / 16 ? GgmlType::kQ5_K : GgmlType::kQ4_K;
      if (p == Preset::kQ4_K_M || p == Preset::kQ5_K_M) return use_more_bits(layer, n) ? GgmlType::kQ6_K : def;
      if ((p == Preset::kIQ4_NL || p == Preset::kIQ4_XS) && layer < n / 8) return GgmlType::kQ5_K;
      if (p == Preset::kQ4_K_S && layer < n / 8) return GgmlType::kQ5_K;
      return def;
    case Role::kAttnOutput:
      if (p == Preset::kQ2_K) return GgmlType::kQ3_K;
      if (p == Preset::kQ3_K_M) return GgmlType::kQ4_K;
      return def;
    case Role::kAttnQkv:
      // Fused QKV (not in Qwen2). Upstream's 2026 refactor sends it through the
      // attn_v rules instead; this is the long-standing branch.
      if (p == Preset::kQ3_K_M) return GgmlType::kQ4_K;
      if (p == Preset::kQ4_K_M) return GgmlType::kQ5_K;
      if (p == Preset::kQ5_K_M) return GgmlType::kQ6_K;
      return def;
    default:
      return def;
  }
}

// N from "blk.N.", or -1.
int layer_index(const std::string& name) {
  int layer = -1;
  if (std::sscanf(name.c_str(), "blk.%d.", &layer) != 1) return -1;
  return layer;
}

}  // namespace

Result<Preset> parse_preset(const std::string& name) {
  const std::string want = upper(name);
  for (const auto& i : kPresets) {
    if (want == i.name) return i.preset;
  }
  std::string known;
  for (const auto& i : kPresets) known += std::string(known.empty() ? "" : ", ") + i.name;
  return invalid_argument("unknown quantization preset '" + name + "' (known: " + known + ")");
}

const char* preset_name(Preset preset) { return info(preset).name; }
uint32_t preset_file_type(Preset preset) { return info(preset).file_type; }
GgmlType preset_default_type(Preset preset) { return info(preset).default_type; }

std::vector<Preset> all_presets() {
  std::vector<Preset> out;
  for (const auto& i : kPresets) out.push_back(i.preset);
  return out;
}

Result<GgmlType> fallback_type(GgmlType type, int64_t row_length) {
  if (fits(type, row_length)) return type;
  GgmlType next;
  switch (type) {
    // Published Qwen2.5 files (and the reference until 2026) use IQ4_NL for
    // these; current upstream picks Q4_0 instead.
    case GgmlType::kQ2_K:
    case GgmlType::kQ3_K:
    case GgmlType::kIQ4_XS:
      next = GgmlType::kIQ4_NL;
      break;
    case GgmlType::kQ4_K:
      next = GgmlType::kQ5_0;
      break;
    case GgmlType::kQ5_K:
      next = GgmlType::kQ5_1;
      break;
    case GgmlType::kQ6_K:
      next = GgmlType::kQ8_0;
      break;
    default:
      return invalid_argument(std::string("row length ") + std::to_string(row_length) + " is not a multiple of " +
                              std::to_string(type_info(type).block_elems) + " as " + type_name(type) +
                              " needs, and " + type_name(type) + " has no fallback type");
  }
  return fits(next, row_length) ? next : GgmlType::kF16;
}

Result<GgmlType> preset_tensor_type(Preset preset, const std::string& tensor_name, const std::vector<int64_t>& dims,
                                    const PresetModelShape& model) {
  if (dims.empty() || dims.size() > 4) {
    return invalid_argument("tensor '" + tensor_name + "': " + std::to_string(dims.size()) + " dims (want 1..4)");
  }
  for (int64_t d : dims) {
    if (d <= 0) return invalid_argument("tensor '" + tensor_name + "': dimension " + std::to_string(d));
  }
  if (!is_quantizable(tensor_name, dims)) return GgmlType::kF32;
  const GgmlType def = preset_default_type(preset);
  // Plain presets convert every matrix; only block types need the mix and the fallback.
  if (def == GgmlType::kF32 || def == GgmlType::kF16 || def == GgmlType::kBF16) return def;

  const int layer = layer_index(tensor_name);
  if (layer >= 0 && (model.n_layers <= 0 || layer >= model.n_layers)) {
    return invalid_argument("tensor '" + tensor_name + "': layer " + std::to_string(layer) + " outside 0.." +
                            std::to_string(model.n_layers - 1) + " (n_layers)");
  }
  const GgmlType chosen = choose(preset, role_of(tensor_name), dims[0], layer, model);
  Result<GgmlType> fb = fallback_type(chosen, dims[0]);
  if (!fb.ok()) return fb.status().with_context("tensor '" + tensor_name + "'");
  return fb;
}

}  // namespace zhi
