// A text scanned as parts (block_scan.h), in turn or on a thread pool, gives
// the verdict one scanner over the whole text gives: on random texts cut at
// random clause breaks, with terms, allow terms and regex terms that occur
// right before and after the cuts, and regex matches that run across them.
#include "compliance/block_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "compliance/scanner.h"
#include "compliance/test_pack.h"
#include "compliance/utf8_codec.h"
#include "core/thread_pool.h"

namespace zhi::compliance {
namespace {

// Small alphabet, so terms occur often, with clause breaks (newline, 。，！
// ？ and their ASCII forms) among separators, full-width and look-alike
// letters, a zero-width space, an invalid byte and a truncated sequence.
const char* const kPieces[] = {
    "a",    "b",        "c",  "d",  "x",    "1",   "2",      " ",  "*",      "_",      "\n",
    "。",   "，",       "!",  "?",  "ａ",   "敏",  "感",     "詞", "词",     "度",     "\u200b",
    "\xff", "\xe6\x95", "ab", "x1", "敏感", "cab", "\u0430", "\t", "敏\n12", "感。词", "敏12"};

std::string random_text(std::mt19937& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kPieces[rng() % std::size(kPieces)];
  return s;
}

// Regex terms that match across a clause break (\s takes a newline; with
// DOTALL '.' takes 。), and allow terms that cover literal and regex hits.
// x\s*\d{2} is the pattern Vectorscan 5.4.9 got wrong at some buffer
// addresses before RegexSet fed it at most 64 bytes a call (regex_set.h):
// with it, and texts that end in a truncated sequence (whose U+FFFD the
// whole-text scanner scans in a call of its own), the comparisons failed.
// Unbounded (\s*): the parts' regex matches are found by one stream.
const char* const kUnboundedRegexes = "敏\\s*\\d{2}\n感.词\nx\\s*\\d{2}\n";
// Bounded: each part's are found on its own (scanner_parts.cc), and the
// anchors test that a part's window edges are not taken for the text's.
const char* const kBoundedRegexes =
    "敏\\s{0,3}\\d{2}\n感.词\n^[敏感\\d]{2}\n[敏感\\d]{2}$\nx\\s{0,2}\\d{2}\n";

std::shared_ptr<const Moderator> make_mod(const char* regexes = kUnboundedRegexes) {
  return testing::make_moderator({{"T.refuse", "substring", "敏感\n"},
                                  {"T.mask", "substring", "感词\nab\n"},
                                  {"T.flag", "word", "cab\nabc\n"},
                                  {"T.mask", "regex", regexes}},
                                 "敏感度\ndabc\n敏12\n");
}

Verdict whole(const Moderator& mod, const std::string& text) {
  Scanner s = Scanner::create(mod.rules()).value();
  EXPECT_TRUE(s.feed(text).ok());
  EXPECT_TRUE(s.finish().ok());
  return mod.decide(text, s.hits(), "en");
}

Verdict in_parts(const Moderator& mod, const std::string& text, const std::vector<size_t>& cuts,
                 ThreadPool* pool) {
  Result<std::vector<Hit>> hits = scan_parts(mod.rules(), text, cuts, pool);
  EXPECT_TRUE(hits.ok()) << hits.status().to_string();
  return mod.decide(text, hits.ok() ? *hits : std::vector<Hit>{}, "en");
}

std::string describe(const Verdict& v) {
  std::string s;
  for (const Finding& f : v.findings)
    s += " rule " + std::to_string(f.rule) + " [" + std::to_string(f.begin) + ", " +
         std::to_string(f.end) + ")";
  return s;
}

void expect_same(const Verdict& a, const Verdict& b, const std::string& context) {
  ASSERT_EQ(a.findings.size(), b.findings.size())
      << context << "\nwhole:" << describe(a) << "\nparts:" << describe(b);
  for (size_t i = 0; i < a.findings.size(); ++i) {
    const Finding &x = a.findings[i], &y = b.findings[i];
    EXPECT_TRUE(x.rule == y.rule && x.begin == y.begin && x.end == y.end &&
                x.category == y.category && x.action == y.action)
        << context << ": finding " << i << " rule " << x.rule << " [" << x.begin << ", " << x.end
        << ") vs rule " << y.rule << " [" << y.begin << ", " << y.end << ")";
  }
  EXPECT_EQ(a.decision, b.decision) << context;
  EXPECT_EQ(a.category, b.category) << context;
  EXPECT_EQ(a.masked, b.masked) << context;
  EXPECT_EQ(a.refusal, b.refusal) << context;
}

// Every offset just after a clause break, found by decoding from the start
// (independently of cut_points).
std::vector<size_t> all_breaks(const MatchRules& rules, const std::string& text) {
  std::vector<size_t> out;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    const Decoded d = decode_utf8(p + i, text.size() - i);
    i += d.len;
    if (d.cp < 0x10000 && (rules.bmp[d.cp] & MatchRules::kBmpBreaker) && i < text.size())
      out.push_back(i);
  }
  return out;
}

class PartsFindWhatOneScannerFinds : public ::testing::TestWithParam<bool> {};

TEST_P(PartsFindWhatOneScannerFinds, AtAnyClauseBreak) {
  const bool bounded = GetParam();
  auto mod = make_mod(bounded ? kBoundedRegexes : kUnboundedRegexes);
  ASSERT_TRUE(mod);
  ASSERT_EQ(mod->rules()->regex->max_width() != RegexSet::kUnbounded, bounded);
  ThreadPool pool(2);
  std::mt19937 rng(2026);
  int findings = 0, near_cut = 0, across_cut = 0, compared = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const std::string text = random_text(rng, 10 + static_cast<int>(rng() % 120));
    const Verdict want = whole(*mod, text);
    expect_same(want, in_parts(*mod, text, {}, nullptr), "text '" + text + "' in one part");
    findings += static_cast<int>(want.findings.size());
    const std::vector<size_t> breaks = all_breaks(*mod->rules(), text);
    if (breaks.empty()) continue;
    // Every break alone, then random sets of breaks.
    std::vector<std::vector<size_t>> cut_sets;
    for (size_t b : breaks) cut_sets.push_back({b});
    for (int k = 0; k < 8; ++k) {
      std::vector<size_t> cuts;
      for (size_t b : breaks)
        if (rng() % 3 == 0) cuts.push_back(b);
      cut_sets.push_back(cuts);
    }
    cut_sets.push_back(breaks);
    for (const std::vector<size_t>& cuts : cut_sets) {
      const std::string context = "text '" + text + "' cut at " + std::to_string(cuts.size());
      expect_same(want, in_parts(*mod, text, cuts, nullptr), context + " (in turn)");
      expect_same(want, in_parts(*mod, text, cuts, &pool), context + " (pool)");
      ++compared;
      for (const Finding& f : want.findings) {
        for (size_t c : cuts) {
          near_cut += (f.end <= c && f.end + 4 > c) || (f.begin >= c && f.begin < c + 4);
          across_cut += f.begin < c && f.end > c;
        }
      }
    }
    if (::testing::Test::HasFailure()) break;
  }
  // The comparisons saw hits at the cuts, and regex hits across them.
  EXPECT_GT(compared, 1000);
  EXPECT_GT(findings, 400);
  EXPECT_GT(near_cut, 500);
  EXPECT_GT(across_cut, 20);
}

INSTANTIATE_TEST_SUITE_P(Regexes, PartsFindWhatOneScannerFinds, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "BoundedInParallel" : "UnboundedInOneStream";
                         });

void cut_points_follow_breaks_and_agree(const Moderator& mod) {
  std::mt19937 rng(7);
  // About 300 KiB, with clause breaks far apart in places (long runs of
  // pieces without one), so cuts are looked for some way past their targets.
  std::string text;
  while (text.size() < (300u << 10)) {
    std::string run = random_text(rng, 40);
    if (rng() % 4 != 0) {
      run.erase(std::remove(run.begin(), run.end(), '\n'), run.end());
      for (const char* b : {"。", "，", "!", "?"}) {
        for (size_t at = run.find(b); at != std::string::npos; at = run.find(b))
          run.replace(at, std::string(b).size(), "_");
      }
    }
    text += run;
  }
  const std::vector<size_t> cuts = cut_points(*mod.rules(), text, 8);
  ASSERT_GE(cuts.size(), 4u);
  const std::vector<size_t> breaks = all_breaks(*mod.rules(), text);
  size_t prev = 0;
  for (size_t c : cuts) {
    EXPECT_TRUE(std::binary_search(breaks.begin(), breaks.end(), c)) << c;
    EXPECT_GE(c, prev + kMinPartBytes);
    prev = c;
  }
  EXPECT_LE(prev + kMinPartBytes, text.size());
  const Verdict want = whole(mod, text);
  EXPECT_GT(want.findings.size(), 1000u);
  ThreadPool pool(2);
  expect_same(want, in_parts(mod, text, cuts, &pool), "cut_points");
  // Moderator::check takes the shared pool for a text this long.
  expect_same(want, mod.check(text, "en").value(), "check");
}

void terms_across_cut_targets_are_found(const Moderator& mod) {
  // Filler without clause breaks, and terms placed over every point where
  // cut_points aims (k / 4 of the text): the cuts move to the next break.
  std::string text(256u << 10, 'y');
  for (size_t k = 1; k < 4; ++k) {
    const size_t at = text.size() / 4 * k - 2;
    text.replace(at, 6, "敏感");
    // The first clause break after the target is the newline: the cut
    // falls inside this regex match.
    text.replace(at + 5000, 14, "敏\n12 cab 。");
  }
  const std::vector<size_t> cuts = cut_points(*mod.rules(), text, 4);
  ASSERT_EQ(cuts.size(), 3u);
  const Verdict want = whole(mod, text);
  // Per placement: 敏感, the regex 敏\n12, the word cab and the substring ab in it.
  ASSERT_EQ(want.findings.size(), 12u);
  for (size_t k = 0; k < 3; ++k) {
    const size_t target = text.size() / 4 * (k + 1);
    EXPECT_EQ(cuts[k], target - 2 + 5004) << "just after the newline";
    EXPECT_EQ(want.findings[4 * k].begin, target - 2) << "敏感 over the target";
    EXPECT_EQ(want.findings[4 * k + 1].begin, target - 2 + 5000) << "敏\\n12 over the cut";
  }
  ThreadPool pool(2);
  expect_same(want, in_parts(mod, text, cuts, &pool), "cut targets");
  expect_same(want, mod.check(text, "en").value(), "check");
}

// Runs `check` with a moderator over each regex list.
template <class F>
void with_each_regex_list(F check) {
  for (const char* regexes : {kUnboundedRegexes, kBoundedRegexes}) {
    SCOPED_TRACE(regexes);
    auto mod = make_mod(regexes);
    ASSERT_TRUE(mod);
    check(*mod);
  }
}

TEST(BlockScan, CutPointsFollowClauseBreaksAndLargeTextsAgree) {
  with_each_regex_list(cut_points_follow_breaks_and_agree);
}

TEST(BlockScan, TermsAcrossTheCutTargetsAreFound) {
  with_each_regex_list(terms_across_cut_targets_are_found);
}

TEST(BlockScan, ATextWithoutClauseBreaksIsNotCut) {
  auto mod = make_mod();
  ASSERT_TRUE(mod);
  std::string text;
  while (text.size() < (200u << 10)) text += "ab 敏感 cab 敏 12 ";
  EXPECT_TRUE(cut_points(*mod->rules(), text, 4).empty());
  expect_same(whole(*mod, text), mod->check(text, "en").value(), "no breaks");
}

}  // namespace
}  // namespace zhi::compliance
