#include "model/model_writer.h"

#include <cmath>
#include <vector>

#include "core/thread_pool.h"
#include "gguf/gguf_reader.h"
#include "quant/dequantize.h"
#include "quant/quantize.h"

namespace zhi {
namespace {

// Rows converted per task: large enough to amortise the hand-out.
constexpr int64_t kRowsPerTask = 32;

// Fills dst with `rows` rows of `cols` values in `type`, each row produced by
// make_row(row, float* out). Rows are independent, so the output does not
// depend on the thread count.
Status convert_rows(int64_t rows, int64_t cols, GgmlType type, uint8_t* dst, ThreadPool& pool,
                    const std::function<Status(int64_t row, float* out)>& make_row) {
  ZHI_ASSIGN_OR_RETURN(uint64_t row_bytes, row_size_bytes(type, cols));
  std::vector<Status> errors(pool.size());
  pool.run((rows + kRowsPerTask - 1) / kRowsPerTask, [&](int64_t task, int thread) {
    thread_local std::vector<float> buf;
    buf.resize(cols);
    for (int64_t r = task * kRowsPerTask; r < std::min(rows, (task + 1) * kRowsPerTask); ++r) {
      Status s = make_row(r, buf.data());
      if (s.ok()) s = quantize_row(type, buf.data(), dst + r * row_bytes, cols);
      if (!s.ok() && errors[thread].ok()) errors[thread] = s;
    }
  });
  for (auto& s : errors) ZHI_RETURN_IF_ERROR(s);
  return {};
}

// splitmix64: a tiny, well-mixed generator; one per row keeps rows independent.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t hash_name(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Roughly normal values (sum of four uniforms), std `scale`.
void random_row(uint64_t seed, float scale, int64_t n, float* out) {
  uint64_t state = seed;
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0;
    for (int k = 0; k < 4; ++k) {
      state = mix(state);
      sum += static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
    }
    out[i] = static_cast<float>((sum - 2.0) * std::sqrt(3.0) * scale);  // var(U)=1/12 -> 4/12
  }
}

struct TensorPlan {
  std::string name;
  std::vector<int64_t> dims;
  float scale;      // std of the random values; 0 = all ones (norm weights)
};

std::vector<TensorPlan> qwen2_tensor_plan(const Qwen2Shape& s) {
  const int64_t hd = s.n_embd / s.n_head, q = s.n_head * hd, kv = s.n_head_kv * hd;
  std::vector<TensorPlan> plan;
  plan.push_back({"token_embd.weight", {s.n_embd, s.n_vocab}, 0.02f});
  for (int64_t i = 0; i < s.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    plan.push_back({p + "attn_norm.weight", {s.n_embd}, 0.0f});
    plan.push_back({p + "attn_q.weight", {s.n_embd, q}, 0.02f});
    plan.push_back({p + "attn_q.bias", {q}, 0.02f});
    plan.push_back({p + "attn_k.weight", {s.n_embd, kv}, 0.02f});
    plan.push_back({p + "attn_k.bias", {kv}, 0.02f});
    plan.push_back({p + "attn_v.weight", {s.n_embd, kv}, 0.02f});
    plan.push_back({p + "attn_v.bias", {kv}, 0.02f});
    plan.push_back({p + "attn_output.weight", {q, s.n_embd}, 0.02f});
    plan.push_back({p + "ffn_norm.weight", {s.n_embd}, 0.0f});
    plan.push_back({p + "ffn_gate.weight", {s.n_embd, s.n_ff}, 0.02f});
    plan.push_back({p + "ffn_up.weight", {s.n_embd, s.n_ff}, 0.02f});
    plan.push_back({p + "ffn_down.weight", {s.n_ff, s.n_embd}, 0.02f});
  }
  plan.push_back({"output_norm.weight", {s.n_embd}, 0.0f});
  if (!s.tied) plan.push_back({"output.weight", {s.n_embd, s.n_vocab}, 0.02f});
  return plan;
}

}  // namespace

Status write_synthetic_model(const SyntheticModelOptions& o, const std::string& path, const WriteProgress& progress) {
  const Qwen2Shape& s = o.shape;
  GgufWriter w;
  w.set("general.architecture", GgufValue::from_string("qwen2"));
  w.set("general.name", GgufValue::from_string("zhi synthetic Qwen2.5-" + s.name + " (random weights)"));
  w.set("general.file_type", GgufValue::from_u32(preset_file_type(o.preset)));
  w.set("general.quantization_version", GgufValue::from_u32(2));
  w.set("qwen2.block_count", GgufValue::from_u32(static_cast<uint32_t>(s.n_layer)));
  w.set("qwen2.context_length", GgufValue::from_u32(static_cast<uint32_t>(s.n_ctx)));
  w.set("qwen2.embedding_length", GgufValue::from_u32(static_cast<uint32_t>(s.n_embd)));
  w.set("qwen2.feed_forward_length", GgufValue::from_u32(static_cast<uint32_t>(s.n_ff)));
  w.set("qwen2.attention.head_count", GgufValue::from_u32(static_cast<uint32_t>(s.n_head)));
  w.set("qwen2.attention.head_count_kv", GgufValue::from_u32(static_cast<uint32_t>(s.n_head_kv)));
  w.set("qwen2.rope.freq_base", GgufValue::from_f32(1e6f));
  w.set("qwen2.attention.layer_norm_rms_epsilon", GgufValue::from_f32(1e-6f));
  if (o.add_vocab) o.add_vocab(w);

  auto pool = std::make_shared<ThreadPool>(o.n_threads);
  const PresetModelShape pshape{static_cast<int>(s.n_layer), static_cast<int>(s.n_head),
                                static_cast<int>(s.n_head_kv), !s.tied};
  for (const TensorPlan& t : qwen2_tensor_plan(s)) {
    ZHI_ASSIGN_OR_RETURN(GgmlType type, preset_tensor_type(o.preset, t.name, t.dims, pshape));
    const uint64_t seed = mix(o.seed ^ hash_name(t.name));
    const int64_t cols = t.dims[0];
    const int64_t rows = t.dims.size() > 1 ? t.dims[1] : 1;
    const float scale = t.scale;
    ZHI_RETURN_IF_ERROR(w.add_tensor(t.name, type, t.dims, [=](uint8_t* dst, uint64_t) {
      return convert_rows(rows, cols, type, dst, *pool, [&](int64_t row, float* out) {
        if (scale == 0.0f) {
          std::fill(out, out + cols, 1.0f);
        } else {
          random_row(mix(seed + static_cast<uint64_t>(row)), scale, cols, out);
        }
        return Status();
      });
    }));
  }
  return w.write(path, progress);
}

Status quantize_model(const std::string& in_path, const std::string& out_path, Preset preset, int n_threads,
                      const WriteProgress& progress) {
  ZHI_ASSIGN_OR_RETURN(GgufFile in, GgufFile::open(in_path));
  ZHI_ASSIGN_OR_RETURN(std::string arch, in.get_string("general.architecture"));
  GgufWriter w;
  for (const auto& [key, value] : in.metadata()) {
    if (key.rfind("split.", 0) == 0) continue;  // the output is one file
    w.set(key, value);
  }
  w.set("general.file_type", GgufValue::from_u32(preset_file_type(preset)));
  w.set("general.quantization_version", GgufValue::from_u32(2));

  PresetModelShape shape;
  if (auto v = in.get_int(arch + ".block_count"); v.ok()) shape.n_layers = static_cast<int>(v.value());
  if (auto v = in.get_int(arch + ".attention.head_count"); v.ok()) shape.n_head = static_cast<int>(v.value());
  if (auto v = in.get_int(arch + ".attention.head_count_kv"); v.ok()) shape.n_head_kv = static_cast<int>(v.value());
  shape.has_output = in.find_tensor("output.weight") != nullptr;

  auto pool = std::make_shared<ThreadPool>(n_threads);
  for (const GgufTensor& t : in.tensors()) {
    ZHI_ASSIGN_OR_RETURN(GgmlType type, preset_tensor_type(preset, t.name, t.dims, shape));
    if (!can_dequantize(t.type))
      return unsupported(in_path + ": tensor '" + t.name + "' has type " + type_name(t.type) + ", which cannot be read");
    const GgufTensor* src = &t;
    const int64_t cols = t.dims[0];
    const int64_t rows = t.n_elements / cols;
    const uint64_t src_row_bytes = t.n_bytes / static_cast<uint64_t>(rows);
    ZHI_RETURN_IF_ERROR(w.add_tensor(t.name, type, t.dims, [=](uint8_t* dst, uint64_t n_bytes) -> Status {
      if (type == src->type) {
        std::copy(src->data, src->data + n_bytes, dst);
        return {};
      }
      return convert_rows(rows, cols, type, dst, *pool, [&](int64_t row, float* out) {
        return dequantize_row(src->type, src->data + row * src_row_bytes, out, cols);
      });
    }));
  }
  // `in` must outlive the write: the fill callbacks read its mapping.
  return w.write(out_path, progress);
}

}  // namespace zhi
