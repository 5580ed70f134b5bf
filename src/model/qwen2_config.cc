#include "model/qwen2_config.h"

namespace zhi {
namespace {

Result<int64_t> positive(const GgufFile& f, const std::string& key, int64_t max_value) {
  ZHI_ASSIGN_OR_RETURN(int64_t v, f.get_int(key));
  if (v <= 0 || v > max_value)
    return corrupt_file("metadata key '" + key + "' = " + std::to_string(v) + " is out of range [1, " +
                        std::to_string(max_value) + "]");
  return v;
}

}  // namespace

Result<Qwen2Config> read_qwen2_config(const GgufFile& f) {
  ZHI_ASSIGN_OR_RETURN(std::string arch, f.get_string("general.architecture"));
  if (arch != "qwen2")
    return unsupported("architecture '" + arch + "' is not supported (this build runs qwen2)");
  Qwen2Config c;
  if (auto n = f.get_string("general.name"); n.ok()) c.name = n.value();
  // Limits are far above any Qwen2.5 size but keep every later product in range.
  ZHI_ASSIGN_OR_RETURN(c.n_embd, positive(f, "qwen2.embedding_length", 1 << 16));
  ZHI_ASSIGN_OR_RETURN(c.n_layer, positive(f, "qwen2.block_count", 1024));
  ZHI_ASSIGN_OR_RETURN(c.n_ff, positive(f, "qwen2.feed_forward_length", 1 << 18));
  ZHI_ASSIGN_OR_RETURN(c.n_head, positive(f, "qwen2.attention.head_count", 1024));
  ZHI_ASSIGN_OR_RETURN(c.n_head_kv, positive(f, "qwen2.attention.head_count_kv", 1024));
  ZHI_ASSIGN_OR_RETURN(c.n_ctx_train, positive(f, "qwen2.context_length", 1 << 24));
  if (c.n_embd % c.n_head != 0)
    return corrupt_file("embedding_length " + std::to_string(c.n_embd) + " is not divisible by head_count " +
                        std::to_string(c.n_head));
  if (c.n_head % c.n_head_kv != 0)
    return corrupt_file("head_count " + std::to_string(c.n_head) + " is not a multiple of head_count_kv " +
                        std::to_string(c.n_head_kv));
  c.head_dim = c.n_embd / c.n_head;
  if (c.head_dim % 2 != 0) return corrupt_file("head dimension " + std::to_string(c.head_dim) + " is odd");
  if (f.has("qwen2.rope.freq_base")) {
    ZHI_ASSIGN_OR_RETURN(double theta, f.get_float("qwen2.rope.freq_base"));
    if (!(theta > 1.0)) return corrupt_file("metadata key 'qwen2.rope.freq_base' must be > 1");
    c.rope_theta = static_cast<float>(theta);
  }
  if (f.has("qwen2.attention.layer_norm_rms_epsilon")) {
    ZHI_ASSIGN_OR_RETURN(double eps, f.get_float("qwen2.attention.layer_norm_rms_epsilon"));
    if (!(eps > 0.0 && eps < 1.0))
      return corrupt_file("metadata key 'qwen2.attention.layer_norm_rms_epsilon' is out of range");
    c.rms_eps = static_cast<float>(eps);
  }
  if (f.has("qwen2.rope.scaling.type")) {
    ZHI_ASSIGN_OR_RETURN(std::string type, f.get_string("qwen2.rope.scaling.type"));
    if (type == "yarn") {
      c.rope_scaling = RopeScaling::kYarn;
      ZHI_ASSIGN_OR_RETURN(double factor, f.get_float("qwen2.rope.scaling.factor"));
      if (!(factor >= 1.0 && factor <= 1024.0))
        return corrupt_file("metadata key 'qwen2.rope.scaling.factor' is out of range");
      c.rope_factor = static_cast<float>(factor);
      ZHI_ASSIGN_OR_RETURN(c.rope_orig_ctx, positive(f, "qwen2.rope.scaling.original_context_length", 1 << 24));
    } else if (type != "none") {
      return unsupported("rope scaling type '" + type + "' (supported: none, yarn)");
    }
  }
  ZHI_ASSIGN_OR_RETURN(const GgufTensor* embd, f.require_tensor("token_embd.weight"));
  if (embd->dims.size() != 2 || embd->dims[0] != c.n_embd)
    return corrupt_file("tensor 'token_embd.weight' has shape " + embd->shape_string() + ", expected [" +
                        std::to_string(c.n_embd) + ", n_vocab]");
  c.n_vocab = embd->dims[1];
  c.tied_output = f.find_tensor("output.weight") == nullptr;
  return c;
}

}  // namespace zhi
