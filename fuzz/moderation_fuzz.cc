// libFuzzer target for moderation (src/compliance): arbitrary bytes as the
// text, against a small pack whose terms occur often in fuzzed text (CJK and
// Latin, substring and whole-word, allow terms over them, two bounded
// regexes). Built by scripts/fuzz_moderation.sh (clang, ASan + UBSan).
//
// The scanner has hand-written fast paths (AVX-512 blocks over raw bytes, a
// ring of skeleton entries, batched probes) that must never read outside
// the text or disagree with the plain path. Whatever the bytes, the target
// traps unless the hits of one Scanner over the whole text equal those of
//   - the same scanner with its fast paths off, and with its SIMD off;
//   - a stream of pieces whose lengths the input's first byte seeds;
//   - the text cut into parts after every clause break (block_scan.h), in
//     turn and on a pool;
// and every hit is a non-empty span inside the text. Separately, a regex
// set whose matches start with known bytes (RegexSet::skips) must find the
// same matches in the text (made valid UTF-8) skipping as feeding it every
// byte, in pieces the first byte seeds.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "compliance/block_scan.h"
#include "compliance/moderator.h"
#include "compliance/policy_loader.h"
#include "compliance/regex_set.h"
#include "compliance/scanner.h"
#include "compliance/utf8_codec.h"
#include "core/thread_pool.h"

namespace zhi::compliance {
namespace {

std::shared_ptr<const Moderator> make(bool with_regex) {
  PolicyPack pack;
  pack.identity = {"fuzz", "1", "fuzz", "FUZZ"};
  for (auto [id, action] :
       {std::pair{"F.refuse", Action::kRefuse}, std::pair{"F.mask", Action::kMask},
        std::pair{"F.flag", Action::kFlag}}) {
    Category c;
    c.id = id;
    c.slug = id;
    c.class_id = "F";
    c.action = action;
    c.refusal = {"拒绝", "Refused"};
    pack.categories.push_back(c);
  }
  const struct {
    const char* text;
    MatchMode mode;
    uint32_t category;
  } terms[] = {{"敏感", MatchMode::kSubstring, 0}, {"感词", MatchMode::kSubstring, 1},
               {"ab", MatchMode::kSubstring, 1},   {"cab", MatchMode::kWord, 2},
               {"abc", MatchMode::kWord, 2},       {"詞a", MatchMode::kSubstring, 2}};
  for (const auto& t : terms)
    if (!add_term(pack, t.text, t.mode, t.category, "fuzz").ok()) std::abort();
  if (with_regex) {
    if (!add_term(pack, "敏\\s{0,3}\\d{2}", MatchMode::kRegex, 1, "fuzz").ok() ||
        !add_term(pack, "\\d{3}[。.]\\d", MatchMode::kRegex, 2, "fuzz").ok() ||
        !add_term(pack, "x\\s{0,2}\\d{2}", MatchMode::kRegex, 2, "fuzz").ok())
      std::abort();
  }
  char path[] = "/tmp/zhi-fuzz-allow-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) std::abort();
  const std::string allow = "敏感度\ndabc\n";
  if (write(fd, allow.data(), allow.size()) != static_cast<ssize_t>(allow.size())) std::abort();
  close(fd);
  const Status st = add_allow_file(pack, path);
  unlink(path);
  if (!st.ok()) std::abort();
  Result<std::shared_ptr<const Moderator>> m = Moderator::create(std::move(pack));
  if (!m.ok()) std::abort();
  return m.value();
}

using Spans = std::vector<std::tuple<uint32_t, uint64_t, uint64_t>>;

Spans sorted(const std::vector<Hit>& hits) {
  Spans s;
  for (const Hit& h : hits) s.emplace_back(h.rule, h.begin, h.end);
  std::sort(s.begin(), s.end());
  return s;
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

Spans scan_whole(const Moderator& mod, std::string_view text, bool fast, bool simd) {
  Result<Scanner> s = Scanner::create(mod.rules());
  check(s.ok());
  s->set_fast_paths(fast);
  s->set_simd(simd);
  check(s->feed(text).ok());
  check(s->finish().ok());
  return sorted(s->hits());
}

void run(const Moderator& mod, uint8_t seed, std::string_view text) {
  const Spans want = scan_whole(mod, text, true, true);
  for (const auto& [rule, begin, end] : want) check(begin < end && end <= text.size());
  check(scan_whole(mod, text, false, true) == want);
  check(scan_whole(mod, text, true, false) == want);

  Result<Scanner> s = Scanner::create(mod.rules());
  check(s.ok());
  uint32_t x = seed * 2654435761u + 1;
  for (size_t at = 0; at < text.size();) {
    x = x * 1103515245u + 12345u;
    const size_t len = std::min<size_t>(text.size() - at, 1 + (x >> 16) % 9);
    check(s->feed(text.substr(at, len)).ok());
    at += len;
  }
  check(s->finish().ok());
  check(sorted(s->hits()) == want);

  std::vector<size_t> cuts;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    const Decoded d = decode_utf8(p + i, text.size() - i);
    i += d.len;
    if (d.cp < 0x10000 && (mod.rules()->bmp[d.cp] & MatchRules::kBmpBreaker) && i < text.size())
      cuts.push_back(i);
  }
  static ThreadPool pool(2);
  for (ThreadPool* on : {static_cast<ThreadPool*>(nullptr), &pool}) {
    Result<std::vector<Hit>> parts = scan_parts(mod.rules(), text, cuts, on);
    check(parts.ok());
    check(sorted(*parts) == want);
  }
  check(mod.check(text, "en").ok());
}

using Matches = std::vector<std::tuple<unsigned, uint64_t, uint64_t>>;

Matches regex_matches(const std::shared_ptr<const RegexSet>& set, std::string_view text,
                      RegexSet::Stream::Skip skip, uint8_t seed) {
  Result<RegexSet::Stream> s = RegexSet::Stream::open(set, skip);
  check(s.ok());
  Matches out;
  const auto on = [&](unsigned id, uint64_t f, uint64_t t) { out.emplace_back(id, f, t); };
  uint32_t x = seed * 2654435761u + 7;
  for (size_t at = 0; at < text.size();) {
    x = x * 1103515245u + 12345u;
    const size_t len = std::min<size_t>(text.size() - at, 1 + (x >> 16) % 200);
    check(s->scan(text.data() + at, len, on).ok());
    at += len;
  }
  check(s->close(on).ok());
  std::sort(out.begin(), out.end());
  return out;
}

void run_regex_skipping(uint8_t seed, std::string_view raw) {
  static const std::shared_ptr<const RegexSet> set = [] {
    int bad = -1;
    Result<std::shared_ptr<const RegexSet>> r = RegexSet::compile({{"\\b1[3-9]\\d{3}\\b", 0},
                                                                   {"\\d{3}[。.]\\d", 1},
                                                                   {"x\\s{0,2}\\d{2}$", 2},
                                                                   {"^7[^a]{0,9}7", 3},
                                                                   {"感.{0,4}1|[敏数]\\d", 4}},
                                                                  &bad);
    check(r.ok() && r.value()->skips());
    return r.value();
  }();
  std::string text;  // Vectorscan's UTF-8 mode wants valid UTF-8, as the scanner's folded text is
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  for (size_t i = 0; i < raw.size();) {
    const Decoded d = decode_utf8(p + i, raw.size() - i);
    append_utf8(text, d.cp);
    i += d.len;
  }
  check(regex_matches(set, text, RegexSet::Stream::Skip::kWhereSafe, seed) ==
        regex_matches(set, text, RegexSet::Stream::Skip::kNever, static_cast<uint8_t>(seed + 1)));
}

}  // namespace
}  // namespace zhi::compliance

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zhi::compliance;
  static const std::shared_ptr<const Moderator> literal = make(false), regex = make(true);
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  run(*literal, data[0], text);
  run(*regex, data[0], text);
  run_regex_skipping(data[0], text);
  return 0;
}
