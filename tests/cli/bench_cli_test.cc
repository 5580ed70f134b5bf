// zhi bench --json-schema / --draft / --ttft: the Session-level measurements
// appear in the text and JSON outputs with sane values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"
#include "test_paths.h"

namespace zhi {
namespace {

using testing::run_zhi;

constexpr const char* kSchema =
    R"({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "maxItems": 3})";

struct Models {
  std::string target, draft;
};

const Models& models() {
  static const Models m = [] {
    Models out{testing::temp_dir() + "/bench-tiny.gguf",
               testing::temp_dir() + "/bench-tiny-draft.gguf"};
    EXPECT_EQ(
        run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "-o", out.target}).exit_code,
        0);
    EXPECT_EQ(
        run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "--seed", "2", "-o", out.draft})
            .exit_code,
        0);
    return out;
  }();
  return m;
}

std::vector<std::string> bench_args() {
  return {"bench", "-m", models().target, "-p",    "8",       "-n",           "8",     "-r", "1",
          "-t",    "1",  "--json-schema", kSchema, "--draft", models().draft, "--ttft"};
}

TEST(BenchCli, JsonHasGuidedSpeculativeAndTtftFields) {
  std::vector<std::string> args = bench_args();
  args.push_back("--json");
  auto r = run_zhi(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;

  ASSERT_TRUE(j.contains("json_schema")) << r.out;
  const auto& g = j["json_schema"];
  EXPECT_GT(g["free_gen_tps"]["median"].get<double>(), 0);
  EXPECT_GT(g["guided_gen_tps"]["median"].get<double>(), 0);
  EXPECT_TRUE(g["overhead"].is_number());
  EXPECT_GT(g["mask_us_per_token"]["median"].get<double>(), 0);
  EXPECT_GT(g["masked_tokens"].get<int64_t>(), 0);
  EXPECT_GT(g["vocab"].get<int64_t>(), 1000);

  ASSERT_TRUE(j.contains("draft")) << r.out;
  const auto& d = j["draft"];
  EXPECT_GT(d["plain_gen_tps"]["median"].get<double>(), 0);
  EXPECT_GT(d["speculative_gen_tps"]["median"].get<double>(), 0);
  EXPECT_GT(d["speedup"].get<double>(), 0);
  EXPECT_GT(d["proposed"].get<int64_t>(), 0);
  EXPECT_GE(d["acceptance_rate"].get<double>(), 0);
  EXPECT_LE(d["acceptance_rate"].get<double>(), 1);
  EXPECT_LE(d["accepted"].get<int64_t>(), d["proposed"].get<int64_t>());
  EXPECT_TRUE(d["identical_output"].get<bool>());  // greedy text is the same with the draft

  ASSERT_TRUE(j.contains("ttft")) << r.out;
  const auto& t = j["ttft"];
  EXPECT_GE(t["runs"].get<int>(), 5);
  EXPECT_GT(t["first_request_ms"]["median"].get<double>(), 0);
  EXPECT_GT(t["second_request_ms"]["median"].get<double>(), 0);
  EXPECT_GT(t["second_cached_tokens"].get<int64_t>(), t["first_prompt_tokens"].get<int64_t>() - 2);
  EXPECT_GT(t["second_prompt_tokens"].get<int64_t>(), t["second_cached_tokens"].get<int64_t>());
}

// Bandwidth is probed after every run and each run's share uses its own
// probe; the probe's 256 MiB buffer must not show up in the peak RSS of a
// model that needs a few MiB.
TEST(BenchCli, RooflineIsPerRunAndPeakRssIsTheModels) {
  auto r = run_zhi(
      {"bench", "-m", models().target, "-p", "8", "-n", "8", "-r", "3", "-t", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  const auto& bw = j["bandwidth_gbs_per_run"];
  const auto& share = j["roofline_share_per_run"];
  EXPECT_GT(bw["min"].get<double>(), 0) << r.out;
  EXPECT_LE(bw["min"].get<double>(), bw["median"].get<double>());
  EXPECT_LE(bw["median"].get<double>(), bw["max"].get<double>());
  EXPECT_EQ(j["bandwidth_gbs"].get<double>(), bw["median"].get<double>());
  EXPECT_GT(share["min"].get<double>(), 0) << r.out;
  EXPECT_EQ(j["roofline_share"].get<double>(), share["median"].get<double>());
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 0);
  EXPECT_LT(j["peak_rss_mb"].get<double>(), 256) << r.out;
#if defined(__linux__)
  // Other processes' CPU use while the runs ran (core/host_load.h): these
  // runs take milliseconds, too short for /proc/stat's ticks, so it is null
  // unless a slow machine made them long; then a plausible CPU count.
  const auto& other = j["other_load_cpus"];
  if (!other.is_null()) {
    EXPECT_GE(other.get<double>(), 0) << r.out;
    EXPECT_LE(other.get<double>(), std::thread::hardware_concurrency() + 0.5) << r.out;
  }
#endif
}

TEST(BenchCli, TextReportsTheSameMeasurements) {
  auto r = run_zhi(bench_args());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("json-schema: gen"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("us/token"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("acceptance"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("speedup"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ttft:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("probed after each run"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("roofline:   decode at"), std::string::npos) << r.out;
#if defined(__linux__)
  EXPECT_NE(r.out.find("host load:  "), std::string::npos) << r.out;
#endif
}

TEST(BenchCli, BadSchemaOrDraftIsACleanError) {
  auto bad = run_zhi({"bench", "-m", models().target, "-p", "4", "-n", "4", "-r", "1",
                      "--json-schema", R"({"type": "strin"})"});
  EXPECT_NE(bad.exit_code, 0) << bad.err;
  EXPECT_NE(bad.exit_code, -1) << bad.err;  // not a crash
  EXPECT_NE(bad.err.find("strin"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace zhi
