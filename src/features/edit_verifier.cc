#include "features/edit_verifier.h"

#include <algorithm>
#include <cstdint>

#include "features/text_utils.h"

namespace zhi::features {
namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'';
}

// Byte offsets where units start, plus the end.
std::vector<size_t> unit_bounds(std::string_view s) {
  std::vector<size_t> b;
  size_t i = 0;
  while (i < s.size()) {
    b.push_back(i);
    if (is_word_byte(static_cast<unsigned char>(s[i]))) {
      while (i < s.size() && is_word_byte(static_cast<unsigned char>(s[i]))) ++i;
    } else {
      size_t len = 1;
      decode_at(s, i, &len);
      i += len;
    }
  }
  b.push_back(s.size());
  return b;
}

std::string describe(const Edit& e) {
  return "[" + std::to_string(e.start) + ", " + std::to_string(e.end) + ") \"" + e.original +
         "\" -> \"" + e.replacement + "\"";
}

}  // namespace

Expected<std::string> apply_edits(std::string_view input, const std::vector<Edit>& edits) {
  std::string out;
  size_t at = 0;
  for (const Edit& e : edits) {
    if (e.start < at || e.end < e.start || e.end > input.size() ||
        input.substr(e.start, e.end - e.start) != e.original)
      return Error(ErrorCode::kInvalidArgument, "edit " + describe(e) + " does not apply");
    out.append(input.substr(at, e.start - at));
    out += e.replacement;
    at = e.end;
  }
  out.append(input.substr(at));
  return out;
}

std::vector<Edit> diff_edits(std::string_view a, std::string_view b) {
  const std::vector<size_t> ua = unit_bounds(a), ub = unit_bounds(b);
  const size_t na = ua.size() - 1, nb = ub.size() - 1;
  const auto unit = [](std::string_view s, const std::vector<size_t>& u, size_t i) {
    return s.substr(u[i], u[i + 1] - u[i]);
  };
  // Common prefix and suffix first; the LCS table covers only the middle.
  size_t pre = 0;
  while (pre < na && pre < nb && unit(a, ua, pre) == unit(b, ub, pre)) ++pre;
  size_t suf = 0;
  while (suf < na - pre && suf < nb - pre && unit(a, ua, na - 1 - suf) == unit(b, ub, nb - 1 - suf))
    ++suf;
  const size_t ma = na - pre - suf, mb = nb - pre - suf;
  std::vector<Edit> out;
  const auto emit = [&](size_t a0, size_t a1, size_t b0, size_t b1) {  // unit ranges
    if (a0 == a1 && b0 == b1) return;
    Edit e;
    e.start = ua[a0];
    e.end = ua[a1];
    e.original = std::string(a.substr(e.start, e.end - e.start));
    e.replacement = std::string(b.substr(ub[b0], ub[b1] - ub[b0]));
    e.kind = EditKind::kWordChoice;
    out.push_back(std::move(e));
  };
  constexpr uint64_t kMaxCells = uint64_t{4} << 20;
  if (static_cast<uint64_t>(ma + 1) * (mb + 1) > kMaxCells) {
    emit(pre, pre + ma, pre, pre + mb);  // too big to align: one edit for the middle
    return out;
  }
  // lcs[i][j]: LCS length of a-middle[i..] and b-middle[j..].
  std::vector<uint32_t> lcs((ma + 1) * (mb + 1), 0);
  const auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (mb + 1) + j]; };
  for (size_t i = ma; i-- > 0;) {
    for (size_t j = mb; j-- > 0;) {
      at(i, j) = unit(a, ua, pre + i) == unit(b, ub, pre + j)
                     ? at(i + 1, j + 1) + 1
                     : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  size_t i = 0, j = 0, gi = 0, gj = 0;
  while (i < ma || j < mb) {
    if (i < ma && j < mb && unit(a, ua, pre + i) == unit(b, ub, pre + j)) {
      emit(pre + gi, pre + i, pre + gj, pre + j);
      ++i;
      ++j;
      gi = i;
      gj = j;
    } else if (j < mb && (i == ma || at(i, j + 1) >= at(i + 1, j))) {
      ++j;
    } else {
      ++i;
    }
  }
  emit(pre + gi, pre + i, pre + gj, pre + j);
  return out;
}

VerifiedEdits verify_edits(std::string_view input, std::string_view corrected,
                           std::vector<Edit> edits) {
  VerifiedEdits v;
  v.check.proposed = static_cast<int>(edits.size());
  std::vector<std::pair<Edit, bool>> placed;  // edit, repaired
  for (Edit& e : edits) {
    if (e.original == e.replacement) {
      ++v.check.dropped;
      v.check.notes.push_back("dropped " + describe(e) + ": changes nothing");
      continue;
    }
    const bool holds = e.start <= e.end && e.end <= input.size() &&
                       input.substr(e.start, e.end - e.start) == e.original &&
                       is_char_boundary(input, e.start) && is_char_boundary(input, e.end);
    if (holds) {
      ++v.check.kept;
      placed.emplace_back(std::move(e), false);
      continue;
    }
    if (e.original.empty()) {
      ++v.check.dropped;
      v.check.notes.push_back("dropped " + describe(e) +
                              ": an insertion at an offset that is not a character boundary");
      continue;
    }
    // Repair: the occurrence of `original` nearest the claimed start.
    size_t best = std::string_view::npos;
    for (size_t p = input.find(e.original); p != std::string_view::npos;
         p = input.find(e.original, p + 1)) {
      if (!is_char_boundary(input, p)) continue;
      const auto dist = [&](size_t q) { return q > e.start ? q - e.start : e.start - q; };
      if (best == std::string_view::npos || dist(p) < dist(best)) best = p;
    }
    if (best == std::string_view::npos) {
      ++v.check.dropped;
      v.check.notes.push_back("dropped " + describe(e) + ": the input has no such text");
      continue;
    }
    const std::string before = describe(e);
    e.start = best;
    e.end = best + e.original.size();
    ++v.check.repaired;
    v.check.notes.push_back("repaired " + before + ": moved to byte " + std::to_string(best));
    placed.emplace_back(std::move(e), true);
  }
  std::stable_sort(placed.begin(), placed.end(), [](const auto& x, const auto& y) {
    return x.first.start != y.first.start ? x.first.start < y.first.start
                                          : x.first.end < y.first.end;
  });
  std::vector<Edit> kept;
  for (auto& [e, repaired] : placed) {
    // Overlap, or two insertions at one offset (their order would be a guess).
    if (!kept.empty() &&
        (e.start < kept.back().end || (e.start == kept.back().end && e.start == e.end &&
                                       kept.back().start == kept.back().end))) {
      ++v.check.dropped;
      --(repaired ? v.check.repaired : v.check.kept);
      v.check.notes.push_back("dropped " + describe(e) + ": overlaps " + describe(kept.back()));
      continue;
    }
    kept.push_back(std::move(e));
  }
  Expected<std::string> applied = apply_edits(input, kept);
  if (applied.ok() && *applied == corrected) {
    v.edits = std::move(kept);
    return v;
  }
  // The edits and the corrected text disagree. The corrected text is the
  // model's whole answer, so it wins; each rebuilt edit keeps the kind and
  // reason of a model edit covering the same span, if there is one.
  v.check.rebuilt_from_diff = true;
  v.check.notes.push_back(
      "the edits did not reproduce the corrected text; rebuilt them from a diff");
  std::vector<Edit> rebuilt = diff_edits(input, corrected);
  for (Edit& r : rebuilt) {
    for (const Edit& k : kept) {
      if (k.start < r.end + (r.start == r.end) && r.start < k.end + (k.start == k.end)) {
        r.kind = k.kind;
        r.reason = k.reason;
        break;
      }
    }
  }
  v.edits = std::move(rebuilt);
  return v;
}

}  // namespace zhi::features
