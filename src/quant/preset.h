// Quantization presets ("Q4_K_M", "Q8_0", ...): the per-tensor type mix of a
// file type, chosen exactly as the reference quantizer chooses it (no
// importance matrix, dense non-Falcon models). Used by `zhi quantize`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "quant/ggml_type.h"

namespace zhi {

enum class Preset {
  kF32,
  kF16,
  kBF16,
  kQ4_0,
  kQ4_1,
  kQ5_0,
  kQ5_1,
  kQ8_0,
  kQ2_K,
  kQ3_K_M,
  kQ4_K_S,
  kQ4_K_M,
  kQ5_K_S,
  kQ5_K_M,
  kQ6_K,
  kIQ4_NL,
  kIQ4_XS,
};

// What the type choice needs to know about the model.
struct PresetModelShape {
  int n_layers = 0;        // block_count
  int n_head = 0;          // attention.head_count
  int n_head_kv = 0;       // attention.head_count_kv (GQA ratio = n_head / n_head_kv)
  bool has_output = false; // a separate output.weight; false = tied to token_embd
};

// Case-insensitive: "q4_k_m", "Q4_K_M", "f16", "iq4_nl" ...
Result<Preset> parse_preset(const std::string& name);
const char* preset_name(Preset preset);  // "Q4_K_M"
// The general.file_type value a file quantized with this preset carries
// (the reference's LLAMA_FTYPE_* numbering, e.g. Q4_K_M = 15).
uint32_t preset_file_type(Preset preset);
// The type most tensors get.
GgmlType preset_default_type(Preset preset);
std::vector<Preset> all_presets();

// Storage type for one tensor. Tensors that are never quantized (fewer than
// two dims, norms, names not ending in "weight") stay F32. K-quant choices
// whose row length (dims[0]) is not a multiple of 256 fall back as
// fallback_type() says. Errors name the tensor (bad dims, layer out of range,
// a row length no type of the preset can hold).
Result<GgmlType> preset_tensor_type(Preset preset, const std::string& tensor_name, const std::vector<int64_t>& dims,
                                    const PresetModelShape& model);

// The type used instead of `type` when a row of `row_length` elements is not
// a whole number of its blocks: Q2_K, Q3_K, IQ4_XS -> IQ4_NL; Q4_K -> Q5_0;
// Q5_K -> Q5_1; Q6_K -> Q8_0; F16 if even that does not fit. Returns `type`
// when it fits; an error for a type without a fallback.
Result<GgmlType> fallback_type(GgmlType type, int64_t row_length);

}  // namespace zhi
