// zhi logits: the conformance-pack JSON object for one prompt of token ids:
// teacher-forced top-5 at every position, all last-position logits, and a
// greedy continuation with its top-1/top-2 margins.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_common.h"
#include "session/loaded_model.h"

namespace zhi::cli {
namespace {

struct LogitsArgs {
  RunFlags run;
  std::string ids;
  int greedy = 16;
};

Result<std::vector<int32_t>> parse_ids(const std::string& text) {
  std::vector<int32_t> ids;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < 0 || v > INT32_MAX) throw std::out_of_range("id");
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::exception&) {
      return invalid_argument("--ids: '" + item + "' is not a token id");
    }
  }
  if (ids.empty()) return invalid_argument("--ids: no token ids given");
  return ids;
}

// Top entries by logit, ties to the lower id.
std::vector<std::pair<int32_t, float>> top_n(const float* logits, int64_t n_vocab, int n) {
  std::vector<int32_t> idx(n_vocab);
  for (int64_t i = 0; i < n_vocab; ++i) idx[i] = static_cast<int32_t>(i);
  std::partial_sort(idx.begin(), idx.begin() + n, idx.end(),
                    [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  std::vector<std::pair<int32_t, float>> out;
  for (int i = 0; i < n; ++i) out.emplace_back(idx[i], logits[idx[i]]);
  return out;
}

int logits_main(const LogitsArgs& a) {
  auto ids = parse_ids(a.ids);
  if (!ids.ok()) return report(ids.status());
  auto opts = context_options(a.run);
  if (!opts.ok()) return report(opts.status());
  auto model = Qwen2Model::load(a.run.model);
  if (!model.ok()) return report(model.status());
  auto ctx = Qwen2Context::create(model.value(), opts.value());
  if (!ctx.ok()) return report(ctx.status());
  Qwen2Context& c = **ctx;
  const int64_t n_vocab = c.config().n_vocab;
  if (Status s = c.eval(ids.value(), /*all_logits=*/true); !s.ok()) return report(s);

  nlohmann::ordered_json out;
  out["prompt"] = ids.value();
  nlohmann::ordered_json top5 = nlohmann::ordered_json::array();
  const int k = static_cast<int>(std::min<int64_t>(5, n_vocab));
  for (size_t p = 0; p < ids->size(); ++p) {
    nlohmann::ordered_json row = nlohmann::ordered_json::array();
    for (auto [id, v] : top_n(c.logits(static_cast<int64_t>(p)), n_vocab, k)) row.push_back({id, v});
    top5.push_back(row);
  }
  out["top5"] = top5;
  out["last_logits"] = std::vector<float>(c.logits(), c.logits() + n_vocab);
  std::vector<int32_t> greedy;
  std::vector<float> margins;
  for (int i = 0; i < a.greedy; ++i) {
    const auto best = top_n(c.logits(), n_vocab, std::min<int>(2, static_cast<int>(n_vocab)));
    greedy.push_back(best[0].first);
    margins.push_back(best.size() > 1 ? best[0].second - best[1].second : 0.0f);
    if (i + 1 == a.greedy) break;
    const int32_t next = best[0].first;
    if (Status s = c.eval({&next, 1}); !s.ok()) return report(s);
  }
  const std::string key = "greedy" + std::to_string(a.greedy);
  out[key] = greedy;
  out[key + "_margin"] = margins;
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

Command add_logits_command(CLI::App& app) {
  auto a = std::make_shared<LogitsArgs>();
  a->run.ctx = 0;
  CLI::App* cmd = app.add_subcommand("logits", "print logits for a prompt of token ids as conformance JSON");
  add_run_flags(cmd, &a->run);
  cmd->add_option("--ids", a->ids, "comma-separated token ids")->required();
  cmd->add_option("--greedy", a->greedy, "greedy steps to continue")->check(CLI::Range(1, 1 << 16));
  return {cmd, [a] { return logits_main(*a); }};
}

}  // namespace zhi::cli
