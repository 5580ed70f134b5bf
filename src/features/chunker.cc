#include "features/chunker.h"

#include <algorithm>
#include <string>

#include "features/text_utils.h"

namespace zhi::features {
namespace {

// Ends of pieces of `text` in [begin, end) at the given level:
// 0 paragraphs (after a blank line), 1 lines, 2 sentences, 3 characters.
std::vector<size_t> piece_ends(std::string_view text, size_t begin, size_t end, int level) {
  std::vector<size_t> ends;
  size_t i = begin;
  while (i < end) {
    size_t len = 1;
    const char32_t c = decode_at(text, i, &len);
    size_t next = i + len;
    bool cut = false;
    if (level == 0) {
      if (c == '\n') {
        size_t j = next;
        while (j < end && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
        if (j < end && text[j] == '\n') {
          while (j < end &&
                 (text[j] == '\n' || text[j] == '\r' || text[j] == ' ' || text[j] == '\t'))
            ++j;
          next = j;
          cut = true;
        }
      }
    } else if (level == 1) {
      cut = c == '\n';
    } else if (level == 2) {
      if (c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == U'…') {
        cut = true;
      } else if (c == '.' || c == '!' || c == '?' || c == ';') {
        cut = next >= end || text[next] == ' ' || text[next] == '\n';
      }
      if (cut) {  // closing quotes and the spaces after stay with the sentence
        while (next < end) {
          size_t l2 = 1;
          const char32_t d = decode_at(text, next, &l2);
          if (d == ' ' || d == U'”' || d == U'’' || d == '"' || d == '\'' || d == U'」' ||
              d == U'）' || d == ')') {
            next += l2;
          } else {
            break;
          }
        }
      }
    } else {
      cut = true;
    }
    if (cut || next >= end) ends.push_back(std::min(next, end));
    i = next;
  }
  return ends;
}

// Appends chunks covering [begin, end) to *out.
void split_range(std::string_view text, size_t begin, size_t end, int level, int64_t budget,
                 const TokenCounter& count, std::vector<Chunk>* out) {
  if (begin >= end) return;
  if (count(text.substr(begin, end - begin)) <= budget) {
    out->push_back({begin, end});
    return;
  }
  if (level > 3) {  // one character over budget: it still goes, whole
    out->push_back({begin, end});
    return;
  }
  const std::vector<size_t> ends = piece_ends(text, begin, end, level);
  if (ends.size() <= 1) {
    split_range(text, begin, end, level + 1, budget, count, out);
    return;
  }
  // Greedy packing: each chunk takes as many whole pieces as fit, found by
  // exponential then binary search over piece ends (O(log n) counts per chunk,
  // so a long run of characters costs no more than a few tokenizations).
  const size_t n = ends.size();
  size_t chunk_begin = begin;
  size_t k0 = 0;  // first piece not yet in a chunk
  const auto fits = [&](size_t k) {
    return count(text.substr(chunk_begin, ends[k] - chunk_begin)) <= budget;
  };
  while (k0 < n) {
    if (!fits(k0)) {  // this piece alone is too big: split it finer
      split_range(text, chunk_begin, ends[k0], level + 1, budget, count, out);
      chunk_begin = ends[k0];
      ++k0;
      continue;
    }
    size_t lo = k0;  // fits
    size_t step = 1;
    while (lo + step < n && fits(lo + step)) {
      lo += step;
      step *= 2;
    }
    size_t hi = std::min(lo + step, n);  // does not fit, or past the end
    while (hi - lo > 1) {
      const size_t mid = lo + (hi - lo) / 2;
      if (fits(mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    out->push_back({chunk_begin, ends[lo]});
    chunk_begin = ends[lo];
    k0 = lo + 1;
  }
}

}  // namespace

Expected<std::vector<Chunk>> split_into_chunks(std::string_view text, int64_t budget_tokens,
                                               const TokenCounter& count_tokens) {
  if (budget_tokens < 1)
    return Error(ErrorCode::kInvalidArgument,
                 "chunk budget must be at least 1 token, got " + std::to_string(budget_tokens));
  std::vector<Chunk> chunks;
  split_range(text, 0, text.size(), 0, budget_tokens, count_tokens, &chunks);
  // The tiling is what "never truncate" rests on: check it, do not assume it.
  size_t at = 0;
  for (const Chunk& c : chunks) {
    if (c.begin != at || c.end <= c.begin)
      return Error(ErrorCode::kInternal, "chunker left a gap at byte " + std::to_string(at));
    at = c.end;
  }
  if (at != text.size())
    return Error(ErrorCode::kInternal, "chunker stopped at byte " + std::to_string(at) + " of " +
                                           std::to_string(text.size()));
  return chunks;
}

}  // namespace zhi::features
