// A whole text scanned as parts (block_scan.h): each part's scanner starts
// at the part's offset and keeps its folded text; the regex terms then run
// over all of it, finding what one scanner over the whole text finds.
//
// When every pattern's matches span at most W bytes, the parts' regex
// matches are found in parallel: part k's stream starts W + kContextBytes
// before the part (so every match ending in the part starts inside the
// stream, with context for a \b before it) and runs kContextBytes past it
// (for a \b after it), and keeps only the matches that end inside the part.
// An anchor (^, $) could fire at a window's artificial edges, but a match
// there ends more than kContextBytes from the part, so none is kept.
// Otherwise (some pattern like \d+ has no bound, or no pool) the folded
// texts run through one stream in order, as one scanner's would.
#include <algorithm>

#include "compliance/scanner.h"
#include "core/thread_pool.h"

namespace zhi::compliance {
namespace {

constexpr uint64_t kContextBytes = 16;  // four code points either side, at least

struct RegexMatch {
  unsigned id;
  uint64_t from, to;
};

}  // namespace

Scanner Scanner::part_of_text(std::shared_ptr<const MatchRules> rules, uint64_t base) {
  Scanner s(std::move(rules));
  s.offset_ = base;
  s.whole_piece_ = true;
  s.use_regex_ = s.r_->regex && s.r_->regex->size() > 0;
  return s;
}

Status Scanner::regex_over_parts(std::vector<Scanner>& parts, std::vector<Hit>* hits,
                                 ThreadPool* pool) {
  if (parts.empty() || !parts.front().use_regex_) return Status();
  const std::shared_ptr<const RegexSet>& set = parts.front().r_->regex;
  const size_t n = parts.size();
  const bool parallel =
      pool != nullptr && pool->size() > 1 && n > 1 && set->max_width() != RegexSet::kUnbounded;
  // Only the parallel path scans without `all`'s own stream.
  Scanner all(parts.front().rules_);
  if (!parallel) {
    ZHI_ASSIGN_OR_RETURN(all, Scanner::create(parts.front().rules_));
  }
  // The parts' folded texts, one after the other, are the whole text's
  // folded stream; their original offsets are absolute already. Every allow
  // span is kept: a regex match may lie in any part, or across two.
  std::vector<uint64_t> base(n + 1, 0);
  for (size_t k = 0; k < n; ++k) {
    for (FoldedRecord r : parts[k].folded_records_) {
      r.folded += base[k];
      all.folded_records_.push_back(r);
    }
    base[k + 1] = base[k] + parts[k].folded_.size();
    all.allows_.insert(all.allows_.end(), parts[k].allows_.begin(), parts[k].allows_.end());
  }
  const auto on_match = [&all](unsigned id, uint64_t f, uint64_t t) { all.regex_match(id, f, t); };
  if (!parallel) {
    for (const Scanner& p : parts)
      ZHI_RETURN_IF_ERROR(all.regex_->scan(p.folded_.data(), p.folded_.size(), on_match));
    ZHI_RETURN_IF_ERROR(all.regex_->close(on_match));
  } else {
    const uint64_t total = base[n];
    // Byte x of the folded stream, and whether a code point starts there.
    const auto starts_char = [&](uint64_t x) {
      if (x >= total) return true;
      const size_t k =
          static_cast<size_t>(std::upper_bound(base.begin(), base.end(), x) - base.begin()) - 1;
      return (static_cast<unsigned char>(parts[k].folded_[x - base[k]]) & 0xC0) != 0x80;
    };
    std::vector<std::vector<RegexMatch>> found(n);
    std::vector<Status> status(n);
    pool->run(static_cast<int64_t>(n), [&](int64_t task, int) {
      const size_t k = static_cast<size_t>(task);
      const uint64_t lo = base[k], hi = base[k + 1];
      if (lo == hi) return;
      const uint64_t reach = set->max_width() + kContextBytes;
      uint64_t from = lo > reach ? lo - reach : 0;
      while (from < lo && !starts_char(from)) ++from;
      uint64_t to = std::min(total, hi + kContextBytes);
      while (!starts_char(to)) ++to;
      Result<RegexSet::Stream> stream = RegexSet::Stream::open(set);
      if (!stream.ok()) {
        status[k] = stream.status();
        return;
      }
      const auto keep = [&](unsigned id, uint64_t f, uint64_t t) {
        if (t + from > lo && t + from <= hi) found[k].push_back({id, f + from, t + from});
      };
      // Bytes [from, to) go in part by part, as the single stream takes them.
      for (size_t i = 0; i < n && status[k].ok(); ++i) {
        const uint64_t b = std::max(from, base[i]), e = std::min(to, base[i + 1]);
        if (b < e) status[k] = stream->scan(parts[i].folded_.data() + (b - base[i]), e - b, keep);
      }
      if (status[k].ok()) status[k] = stream->close(keep);
    });
    for (size_t k = 0; k < n; ++k) {
      ZHI_RETURN_IF_ERROR(status[k]);
      for (const RegexMatch& m : found[k]) all.regex_match(m.id, m.from, m.to);
    }
  }
  all.settle(/*all=*/true);
  all.finished_ = true;
  hits->insert(hits->end(), all.hits_.begin(), all.hits_.end());
  return Status();
}

}  // namespace zhi::compliance
