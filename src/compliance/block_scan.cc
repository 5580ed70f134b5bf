#include "compliance/block_scan.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include "compliance/scanner.h"
#include "compliance/utf8_codec.h"
#include "core/thread_pool.h"

namespace zhi::compliance {
namespace {

// Parts per pool thread: a few more parts than threads even out parts that
// scan at different speeds (Chinese vs English, or a core the OS lends
// elsewhere for a while) at a cost of one scanner set-up each.
constexpr size_t kPartsPerThread = 2;
constexpr int kPoolThreads = 2;

// The first offset >= from just after a clause break, within limit; 0 if none.
size_t cut_after_break(const MatchRules& rules, std::string_view text, size_t from, size_t limit) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t end = std::min(text.size(), limit);
  for (size_t i = from; i < end;) {
    if ((p[i] & 0xC0) == 0x80) {  // decoding never starts here (utf8_codec.h)
      ++i;
      continue;
    }
    const Decoded d = decode_utf8(p + i, text.size() - i);
    i += d.len;
    if (d.cp < 0x10000 && (rules.bmp[d.cp] & MatchRules::kBmpBreaker)) return i;
  }
  return 0;
}

struct SharedPool {
  std::mutex busy;  // one text at a time; another caller scans on its own thread
  ThreadPool pool{kPoolThreads};
};

SharedPool* shared_pool() {
  static SharedPool* const p =
      std::thread::hardware_concurrency() >= 2 ? new SharedPool() : nullptr;  // lives until exit
  return p;
}

}  // namespace

std::vector<size_t> cut_points(const MatchRules& rules, std::string_view text, size_t n_parts) {
  std::vector<size_t> cuts;
  size_t prev = 0;
  for (size_t k = 1; k < n_parts; ++k) {
    const size_t target = std::max(text.size() / n_parts * k, prev + kMinPartBytes);
    if (target + kMinPartBytes > text.size()) break;
    const size_t cut = cut_after_break(rules, text, target, target + kMinPartBytes);
    if (cut == 0 || cut >= text.size()) continue;
    cuts.push_back(cut);
    prev = cut;
  }
  return cuts;
}

Result<std::vector<Hit>> scan_parts(const std::shared_ptr<const MatchRules>& rules,
                                    std::string_view text, const std::vector<size_t>& cuts,
                                    ThreadPool* pool) {
  std::vector<size_t> bounds = {0};
  for (size_t c : cuts) {
    if (c <= bounds.back() || c > text.size())
      return internal_error("scan_parts: cuts out of order");
    bounds.push_back(c);
  }
  bounds.push_back(text.size());
  const size_t n = bounds.size() - 1;
  std::vector<Scanner> parts;
  parts.reserve(n);
  for (size_t k = 0; k < n; ++k) parts.push_back(Scanner::part_of_text(rules, bounds[k]));
  std::vector<Status> status(n);
  const auto scan = [&](int64_t k, int) {
    Scanner& s = parts[static_cast<size_t>(k)];
    status[k] = s.feed(text.substr(bounds[k], bounds[k + 1] - bounds[k]));
    if (status[k].ok()) status[k] = s.finish();
  };
  if (pool != nullptr) {
    pool->run(static_cast<int64_t>(n), scan);
  } else {
    for (size_t k = 0; k < n; ++k) scan(static_cast<int64_t>(k), 0);
  }
  std::vector<Hit> hits;
  for (size_t k = 0; k < n; ++k) {
    ZHI_RETURN_IF_ERROR(status[k]);
    hits.insert(hits.end(), parts[k].hits().begin(), parts[k].hits().end());
  }
  ZHI_RETURN_IF_ERROR(Scanner::regex_over_parts(parts, &hits, pool));
  return hits;
}

Result<std::vector<Hit>> scan_text(const std::shared_ptr<const MatchRules>& rules,
                                   std::string_view text) {
  SharedPool* shared = text.size() >= kSplitMinBytes ? shared_pool() : nullptr;
  if (shared != nullptr) {
    std::unique_lock<std::mutex> lock(shared->busy, std::try_to_lock);
    if (lock.owns_lock()) {
      const size_t n_parts = std::min<size_t>(
          kPartsPerThread * static_cast<size_t>(shared->pool.size()), text.size() / kMinPartBytes);
      const std::vector<size_t> cuts = cut_points(*rules, text, n_parts);
      if (!cuts.empty()) return scan_parts(rules, text, cuts, &shared->pool);
    }
  }
  return scan_parts(rules, text, {}, nullptr);
}

}  // namespace zhi::compliance
