#include "model/reference_forward.h"

#include <cmath>
#include <cstring>
#include <numbers>

#include "core/half.h"
#include "kernels/activation_quant.h"
#include "quant/dequantize.h"

namespace zhi {
namespace {

// The min term of Q4_1/Q5_1 weights meets Q8_1 activations through the
// activations' block sum, s = fp16(d * sum(q)) with d = max|x|/127, rather
// than through the rounded values themselves.
std::vector<float> q8_1_block_sums(const float* x, int64_t n) {
  std::vector<float> sums(n / 32);
  for (int64_t b = 0; b < n / 32; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[b * 32 + j]));
    const float inv = amax != 0.0f ? 127.0f / amax : 0.0f;
    int sum_q = 0;
    for (int j = 0; j < 32; ++j) sum_q += static_cast<int>(std::nearbyint(x[b * 32 + j] * inv));
    sums[b] = f16_to_f32(f32_to_f16(amax / 127.0f * sum_q));
  }
  return sums;
}

// y = W x for a GGUF matrix of w.rows rows of w.cols values, computed as the
// reference engine does: x first passes through the weight type's activation
// format (Q8_0, Q8_1, Q8_K, F16, ...); each block's dot product is exact and
// the block results are summed in f32.
void matvec(const WeightMatrix& w, const float* x_in, float* y) {
  std::vector<float> row(w.cols), x(w.cols);
  const GgmlType partner = activation_partner(w.type);
  round_activations_through(partner, x_in, w.cols, x.data());
  const int64_t block = partner == GgmlType::kQ8_K ? 256 : (partner == GgmlType::kQ8_0 || partner == GgmlType::kQ8_1) ? 32 : w.cols;
  const std::vector<float> sums = partner == GgmlType::kQ8_1 ? q8_1_block_sums(x_in, w.cols) : std::vector<float>();
  const int64_t block_bytes = static_cast<int64_t>(w.row_bytes) / (w.cols / block);
  for (int64_t r = 0; r < w.rows; ++r) {
    const uint8_t* wrow = w.data + r * w.row_bytes;
    (void)dequantize_row(w.type, wrow, row.data(), w.cols);
    float sum = 0.0f;
    for (int64_t b = 0; b < w.cols / block; ++b) {
      double part = 0.0;
      for (int64_t c = b * block; c < (b + 1) * block; ++c) part += static_cast<double>(row[c]) * x[c];
      if (partner == GgmlType::kQ8_1) {
        // Q4_1/Q5_1 blocks: half d, half m, ...: swap the min's exact term for the block sum.
        uint16_t m_bits;
        std::memcpy(&m_bits, wrow + b * block_bytes + 2, 2);
        const double m = f16_to_f32(m_bits);
        double x_sum = 0.0;
        for (int64_t c = b * block; c < (b + 1) * block; ++c) x_sum += x[c];
        part += m * (sums[b] - x_sum);
      }
      sum += static_cast<float>(part);
    }
    y[r] = sum;
  }
}

void rmsnorm(float* out, const float* x, const std::vector<float>& weight, float eps) {
  const size_t n = weight.size();
  double ss = 0.0;
  for (size_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const double scale = 1.0 / std::sqrt(ss / n + eps);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i] * scale * weight[i]);
}

// NEOX rotation of one head: dimension i pairs with i + head_dim/2.
void rope(float* head, int64_t head_dim, int64_t pos, const Qwen2Config& c) {
  const int64_t half = head_dim / 2;
  double low = 0, high = 0, mscale = 1.0, freq_scale = 1.0;
  const bool yarn = c.rope_scaling == RopeScaling::kYarn;
  if (yarn) {
    auto corr = [&](double beta) {
      return head_dim * std::log(c.rope_orig_ctx / (beta * 2 * std::numbers::pi)) / (2 * std::log(c.rope_theta));
    };
    low = std::max(0.0, std::floor(corr(32.0)));
    high = std::min(static_cast<double>(head_dim - 1), std::ceil(corr(1.0)));
    freq_scale = 1.0 / c.rope_factor;
    mscale = 1.0 + 0.1 * std::log(c.rope_factor);
  }
  for (int64_t i = 0; i < half; ++i) {
    const double theta_extrap = pos * std::pow(static_cast<double>(c.rope_theta), -2.0 * i / head_dim);
    double theta = theta_extrap;
    if (yarn) {
      const double mix = 1.0 - std::clamp((i - low) / std::max(0.001, high - low), 0.0, 1.0);
      theta = theta_extrap * mix + freq_scale * theta_extrap * (1.0 - mix);
    }
    const double cs = std::cos(theta) * mscale, sn = std::sin(theta) * mscale;
    const double a = head[i], b = head[i + half];
    head[i] = static_cast<float>(a * cs - b * sn);
    head[i + half] = static_cast<float>(a * sn + b * cs);
  }
}

}  // namespace

Result<std::vector<float>> reference_logits(const Qwen2Model& model, std::span<const int32_t> tokens) {
  const Qwen2Config& c = model.config();
  const int64_t d = c.n_embd, hd = c.head_dim, n = static_cast<int64_t>(tokens.size());
  for (int32_t t : tokens)
    if (t < 0 || t >= c.n_vocab) return invalid_argument("token id " + std::to_string(t) + " outside the vocabulary");

  // KV cache: (layer, position, kv_dim), plain f32.
  std::vector<float> key_cache(c.n_layer * n * c.kv_dim()), value_cache(c.n_layer * n * c.kv_dim());
  std::vector<float> x(d), xb(d), q(c.q_dim()), k(c.kv_dim()), v(c.kv_dim()), att(c.q_dim()), proj(d);
  std::vector<float> gate(c.n_ff), up(c.n_ff), scores(n), logits(n * c.n_vocab);

  for (int64_t pos = 0; pos < n; ++pos) {
    (void)dequantize_row(model.token_embd().type, model.token_embd().data + tokens[pos] * model.token_embd().row_bytes,
                         x.data(), d);
    for (int64_t l = 0; l < c.n_layer; ++l) {
      const Qwen2Layer& w = model.layers()[l];
      rmsnorm(xb.data(), x.data(), w.attn_norm, c.rms_eps);
      matvec(w.wq, xb.data(), q.data());
      matvec(w.wk, xb.data(), k.data());
      matvec(w.wv, xb.data(), v.data());
      for (int64_t i = 0; i < c.q_dim(); ++i) q[i] += w.bq[i];
      for (int64_t i = 0; i < c.kv_dim(); ++i) k[i] += w.bk[i], v[i] += w.bv[i];
      for (int64_t h = 0; h < c.n_head; ++h) rope(&q[h * hd], hd, pos, c);
      for (int64_t h = 0; h < c.n_head_kv; ++h) rope(&k[h * hd], hd, pos, c);
      float* kc = &key_cache[(l * n + pos) * c.kv_dim()];
      float* vc = &value_cache[(l * n + pos) * c.kv_dim()];
      // The cache holds f16 values, as the reference engine's does.
      for (int64_t i = 0; i < c.kv_dim(); ++i) kc[i] = f16_to_f32(f32_to_f16(k[i])), vc[i] = f16_to_f32(f32_to_f16(v[i]));

      // Causal attention; query head h reads KV head h / (n_head / n_kv).
      for (int64_t h = 0; h < c.n_head; ++h) {
        const int64_t kvh = h / (c.n_head / c.n_head_kv);
        // The query meets f16 keys as f16, and the probabilities meet f16 values as f16.
        float qh[1024];
        for (int64_t i = 0; i < hd; ++i) qh[i] = f16_to_f32(f32_to_f16(q[h * hd + i]));
        double max_s = -1e300;
        for (int64_t j = 0; j <= pos; ++j) {
          const float* kj = &key_cache[(l * n + j) * c.kv_dim() + kvh * hd];
          double s = 0.0;
          for (int64_t i = 0; i < hd; ++i) s += static_cast<double>(qh[i]) * kj[i];
          scores[j] = static_cast<float>(s / std::sqrt(static_cast<double>(hd)));
          max_s = std::max(max_s, static_cast<double>(scores[j]));
        }
        double sum = 0.0;
        for (int64_t j = 0; j <= pos; ++j) sum += std::exp(scores[j] - max_s);
        for (int64_t j = 0; j <= pos; ++j)
          scores[j] = f16_to_f32(f32_to_f16(static_cast<float>(std::exp(scores[j] - max_s) / sum)));
        float* out = &att[h * hd];
        for (int64_t i = 0; i < hd; ++i) {
          double acc = 0.0;
          for (int64_t j = 0; j <= pos; ++j) acc += static_cast<double>(scores[j]) * value_cache[(l * n + j) * c.kv_dim() + kvh * hd + i];
          out[i] = static_cast<float>(acc);
        }
      }
      matvec(w.wo, att.data(), proj.data());
      for (int64_t i = 0; i < d; ++i) x[i] += proj[i];

      rmsnorm(xb.data(), x.data(), w.ffn_norm, c.rms_eps);
      matvec(w.w_gate, xb.data(), gate.data());
      matvec(w.w_up, xb.data(), up.data());
      for (int64_t i = 0; i < c.n_ff; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
      matvec(w.w_down, gate.data(), proj.data());
      for (int64_t i = 0; i < d; ++i) x[i] += proj[i];
    }
    rmsnorm(xb.data(), x.data(), model.output_norm(), c.rms_eps);
    matvec(model.output(), xb.data(), &logits[pos * c.n_vocab]);
  }
  return logits;
}

}  // namespace zhi
