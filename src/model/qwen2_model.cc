#include "model/qwen2_model.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "core/thread_pool.h"
#include "kernels/packed_weights.h"
#include "quant/dequantize.h"

namespace zhi {
namespace {

std::string shape(int64_t a, int64_t b) {
  return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

Result<WeightMatrix> bind_matrix(const GgufFile& f, const std::string& name, int64_t cols,
                                 int64_t rows) {
  ZHI_ASSIGN_OR_RETURN(const GgufTensor* t, f.require_tensor(name));
  if (t->dims.size() != 2 || t->dims[0] != cols || t->dims[1] != rows)
    return corrupt_file("tensor '" + name + "' has shape " + t->shape_string() + ", expected " +
                        shape(cols, rows));
  if (!can_dequantize(t->type))
    return unsupported("tensor '" + name + "' has type " + type_name(t->type) +
                       ", which this build cannot compute with");
  WeightMatrix w;
  w.type = t->type;
  w.data = t->data;
  w.rows = rows;
  w.cols = cols;
  w.row_bytes = t->n_bytes / static_cast<uint64_t>(rows);
  return w;
}

Result<std::vector<float>> load_vector(const GgufFile& f, const std::string& name, int64_t n) {
  ZHI_ASSIGN_OR_RETURN(const GgufTensor* t, f.require_tensor(name));
  if (t->n_elements != n || t->dims[0] != n)
    return corrupt_file("tensor '" + name + "' has shape " + t->shape_string() + ", expected [" +
                        std::to_string(n) + "]");
  std::vector<float> v(n);
  Status s = dequantize_row(t->type, t->data, v.data(), n);
  if (!s.ok()) return s.with_context("tensor '" + name + "'");
  return v;
}

}  // namespace

Result<std::shared_ptr<const Qwen2Model>> Qwen2Model::load(const std::string& path,
                                                           WeightLayout layout) {
  ZHI_ASSIGN_OR_RETURN(GgufFile file, GgufFile::open(path));
  auto m = from_file(std::move(file), layout);
  if (!m.ok()) return m.status().with_context(path);
  return m;
}

Result<std::shared_ptr<const Qwen2Model>> Qwen2Model::from_file(GgufFile file,
                                                                WeightLayout layout) {
  std::shared_ptr<Qwen2Model> m(new Qwen2Model());
  m->file_ = std::move(file);
  ZHI_ASSIGN_OR_RETURN(m->config_, read_qwen2_config(m->file_));
  ZHI_RETURN_IF_ERROR(m->bind());
  const char* env = std::getenv("ZHI_REPACK");
  if (layout == WeightLayout::kAuto && !(env != nullptr && std::string_view(env) == "0"))
    m->pack_weights();
  return std::shared_ptr<const Qwen2Model>(std::move(m));
}

Status Qwen2Model::bind() {
  const Qwen2Config& c = config_;
  const GgufFile& f = file_;
  ZHI_ASSIGN_OR_RETURN(token_embd_, bind_matrix(f, "token_embd.weight", c.n_embd, c.n_vocab));
  ZHI_ASSIGN_OR_RETURN(output_norm_, load_vector(f, "output_norm.weight", c.n_embd));
  if (c.tied_output) {
    output_ = token_embd_;
  } else {
    ZHI_ASSIGN_OR_RETURN(output_, bind_matrix(f, "output.weight", c.n_embd, c.n_vocab));
  }
  layers_.resize(c.n_layer);
  for (int64_t i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    Qwen2Layer& l = layers_[i];
    ZHI_ASSIGN_OR_RETURN(l.attn_norm, load_vector(f, p + "attn_norm.weight", c.n_embd));
    ZHI_ASSIGN_OR_RETURN(l.wq, bind_matrix(f, p + "attn_q.weight", c.n_embd, c.q_dim()));
    ZHI_ASSIGN_OR_RETURN(l.bq, load_vector(f, p + "attn_q.bias", c.q_dim()));
    ZHI_ASSIGN_OR_RETURN(l.wk, bind_matrix(f, p + "attn_k.weight", c.n_embd, c.kv_dim()));
    ZHI_ASSIGN_OR_RETURN(l.bk, load_vector(f, p + "attn_k.bias", c.kv_dim()));
    ZHI_ASSIGN_OR_RETURN(l.wv, bind_matrix(f, p + "attn_v.weight", c.n_embd, c.kv_dim()));
    ZHI_ASSIGN_OR_RETURN(l.bv, load_vector(f, p + "attn_v.bias", c.kv_dim()));
    ZHI_ASSIGN_OR_RETURN(l.wo, bind_matrix(f, p + "attn_output.weight", c.q_dim(), c.n_embd));
    ZHI_ASSIGN_OR_RETURN(l.ffn_norm, load_vector(f, p + "ffn_norm.weight", c.n_embd));
    ZHI_ASSIGN_OR_RETURN(l.w_gate, bind_matrix(f, p + "ffn_gate.weight", c.n_embd, c.n_ff));
    ZHI_ASSIGN_OR_RETURN(l.w_up, bind_matrix(f, p + "ffn_up.weight", c.n_embd, c.n_ff));
    ZHI_ASSIGN_OR_RETURN(l.w_down, bind_matrix(f, p + "ffn_down.weight", c.n_ff, c.n_embd));
  }
  return {};
}

// Every matrix the forward pass streams (not token_embd, which is only
// looked up row by row; when the output is tied, output_ is its copy and is
// packed on its own).
void Qwen2Model::pack_weights() {
  std::vector<WeightMatrix*> mats;
  for (Qwen2Layer& l : layers_)
    for (WeightMatrix* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
      mats.push_back(w);
  mats.push_back(&output_);
  int64_t total = 0;
  for (const WeightMatrix* w : mats) total += (packed_matrix_bytes(*w) + 63) / 64 * 64;
  if (total == 0) return;
  PageBuffer buf = PageBuffer::allocate(static_cast<size_t>(total));
  if (buf.data() == nullptr) return;  // no memory for the copy: compute from the file as it is
  // Slices of about 4 MB, packed by a few threads (the copy and the first
  // touch of fresh pages are both per-byte work). Each slice's source pages
  // go back to the OS as soon as it is copied, so the file's copy and the
  // packed one are never both resident; the file's is read again only for
  // the odd embedding row.
  struct Slice {
    WeightMatrix* w;
    uint8_t* dst;
    int64_t g0, g1;
  };
  std::vector<Slice> slices;
  int64_t offset = 0;
  for (WeightMatrix* w : mats) {
    const int64_t bytes = packed_matrix_bytes(*w);
    if (bytes == 0) continue;
    const int64_t per_slice = pack_slice_groups(*w);
    for (int64_t g0 = 0; g0 < w->rows / kPackRows; g0 += per_slice)
      slices.push_back({w, buf.data() + offset, g0, std::min(w->rows / kPackRows, g0 + per_slice)});
    w->packed = buf.data() + offset;
    offset += (bytes + 63) / 64 * 64;
  }
  const int n_threads =
      static_cast<int>(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 4));
  ThreadPool pool(n_threads);
  pool.run(static_cast<int64_t>(slices.size()), [&](int64_t i, int) {
    const Slice& s = slices[static_cast<size_t>(i)];
    pack_matrix_groups(*s.w, s.dst, s.g0, s.g1);
    const int64_t src_group = kPackRows * static_cast<int64_t>(s.w->row_bytes);
    release_file_pages(s.w->data + s.g0 * src_group,
                       static_cast<size_t>((s.g1 - s.g0) * src_group));
  });
  // Tied output: embedding lookups read the same matrix, from the packed copy.
  if (config_.tied_output) token_embd_.packed = output_.packed;
  packed_ = std::move(buf);
}

uint64_t Qwen2Model::weight_bytes() const {
  uint64_t n = 0;
  for (const auto& t : file_.tensors()) n += t.n_bytes;
  return n;
}

}  // namespace zhi
