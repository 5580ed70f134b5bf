// Block mode: the final hits of a whole text. A large text is cut into
// parts that are scanned at once on a small persistent thread pool; a short
// one is one part, scanned on the calling thread. Either way the hits are
// the same (their order aside: Moderator::decide sorts them), and the same
// as one Scanner fed the whole text finds.
//
// A part may start only just after a clause break (a noise character the
// rules treat as one: newline, 。，！？ ...), because no literal match can
// run across one: Scanner's span rules reject any match whose characters
// have a clause break between them, the same holds for allow terms, and a
// word end is settled by the break itself. So a part's scanner, starting
// fresh, finds exactly the matches the whole-text scanner finds there. The
// regex terms are the exception (a pattern may match across a break): each
// part's regex matches are found with a margin of the neighbouring parts'
// folded text, on the pool, when every pattern's width is bounded; else one
// stream runs over the parts' folded texts in order (Scanner::regex_over_parts).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "compliance/match_rules.h"
#include "core/status.h"

namespace zhi {
class ThreadPool;
}

namespace zhi::compliance {

// Texts shorter than this are scanned on the calling thread: below it the
// hand-off to another core (tens of microseconds when it sleeps) would cost
// more than the half of the scan it saves.
constexpr size_t kSplitMinBytes = 64 << 10;
// Parts are at least this long, and a cut is looked for this far past its
// target at most (no clause break in 32 KiB: the text is not cut there).
constexpr size_t kMinPartBytes = 32 << 10;

// Offsets where `text` may be cut (just after a clause break), increasing,
// one near each of (k / n_parts) * text.size() for k = 1 .. n_parts - 1
// where a clause break follows within kMinPartBytes; fewer where not.
std::vector<size_t> cut_points(const MatchRules& rules, std::string_view text, size_t n_parts);

// The final hits of `text` scanned as parts [0, cuts[0]), [cuts[0], cuts[1]),
// ... (cuts from cut_points, or any other offsets just after a clause
// break). With a pool the parts run on it; without, in turn on this thread.
Result<std::vector<Hit>> scan_parts(const std::shared_ptr<const MatchRules>& rules,
                                    std::string_view text, const std::vector<size_t>& cuts,
                                    ThreadPool* pool);

// What Moderator::check runs: one part on this thread for a short text, or
// when the pool is busy with another text; otherwise parts on a process-wide
// pool of two threads (made on first use).
Result<std::vector<Hit>> scan_text(const std::shared_ptr<const MatchRules>& rules,
                                   std::string_view text);

}  // namespace zhi::compliance
