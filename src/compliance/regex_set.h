// Regular-expression terms, compiled together into one Vectorscan streaming
// database. Patterns run over the folded text (case-folded, NFKC-mapped,
// Simplified, zero-width characters removed, but with spaces and punctuation
// kept), so `加微信\s*\d{6,}` sees what a reader sees. Streaming mode carries
// state between pieces, so a match split across generated tokens is found;
// whole texts are scanned as a one-piece stream.
#pragma once

#include <hs/hs.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compliance/byte_mask.h"
#include "core/status.h"

namespace zhi::compliance {

// Flags every term pattern is compiled with. UTF8: '.' is a whole character;
// SOM_LEFTMOST: where a match starts is needed to map it onto the original.
constexpr unsigned kRegexFlags =
    HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST | HS_FLAG_CASELESS | HS_FLAG_DOTALL;

// Checks one pattern on its own (syntax, support, not matching empty text),
// so a pack can name the line of a bad one.
Status check_regex(const std::string& expression);

// Vectorscan 5.4.9 (Debian 12) on AVX-512 gets a few matches wrong in scan
// calls longer than 64 bytes; calls of at most 64 bytes never erred in any
// search. Two defects were seen (tests/compliance/regex_set_test.cc holds a
// text for each):
// - Where the buffer lies: `x\d{2}` over the same 106 bytes found its two
//   matches at 62 of 64 addresses. It looks like the tail masking bug fixed
//   upstream in 2026 (VectorCamp/vectorscan#378): copying each call's bytes
//   to end on a 64-byte boundary avoided it (4.8 million random texts: 20
//   wrong when fed whole at random addresses, 1 when each call ended on a
//   boundary, and that one was the second defect).
// - How long the call is: `a.{2,6}b` missed a match that ends at byte 98 of
//   a 210-byte text in every call of 91 bytes or more that held its start,
//   at any address.
// Against a stream fed byte by byte, over 80,000 random texts, calls of 65
// bytes differed on 2, of 80 bytes on 43. So a stream is fed in calls of at
// most this many bytes (its state carries across them). Their per-call cost
// is a quarter to a third of a regex-bearing scan (bench/compliance_bench).
constexpr size_t kMaxScanBytes = 64;

class RegexSet {
 public:
  struct Pattern {
    std::string expression;
    uint32_t rule;
  };
  // On a bad pattern the error names its index in `patterns` through
  // `bad_pattern` (set to -1 for errors that are not about one pattern).
  static Result<std::shared_ptr<const RegexSet>> compile(const std::vector<Pattern>& patterns,
                                                         int* bad_pattern);

  ~RegexSet();
  RegexSet(const RegexSet&) = delete;
  RegexSet& operator=(const RegexSet&) = delete;

  size_t size() const { return rules_.size(); }
  uint32_t rule(unsigned id) const { return rules_[id]; }
  // The most bytes any pattern's match can span (Vectorscan's max_width),
  // or kUnbounded when some pattern can match text of any length (x+, .*).
  static constexpr uint64_t kUnbounded = ~uint64_t{0};
  uint64_t max_width() const { return max_width_; }
  // True where every pattern's matches start with one of a known set of
  // ASCII bytes and ideographs (regex_first_bytes.h) and span at most
  // max_width() bytes: then a Stream feeds Vectorscan only the text near
  // where those start.
  bool skips() const { return skips_; }

  // from/to: byte offsets into the folded stream.
  using OnMatch = std::function<void(unsigned id, uint64_t from, uint64_t to)>;

  class Stream {
   public:
    // kNever feeds every byte even where the set skips(): for tests.
    enum class Skip { kWhereSafe, kNever };
    static Result<Stream> open(std::shared_ptr<const RegexSet> set, Skip skip = Skip::kWhereSafe);
    Stream(Stream&& o) noexcept;
    Stream& operator=(Stream&& o) noexcept;
    ~Stream();
    Status scan(const char* data, size_t n, const OnMatch& on_match);
    // Reports end-anchored matches; the stream is unusable afterwards.
    Status close(const OnMatch& on_match);

   private:
    Stream() = default;
    void release();  // closes the stream and frees its scratch, if any
    // Feeds stream offsets [from, to) (from == fed_) to Vectorscan; `data`
    // holds the offsets from `start` on, recent_ the 64 before.
    Status feed(uint64_t from, uint64_t to, const char* data, uint64_t start, void* ctx);

    // Skipping (skips()): a match starts at a byte of the set and ends
    // within max_width() bytes, so Vectorscan need only see from a little
    // before each such byte (the context that \b and ^ look at) to a little
    // past max_width() after it. Elsewhere its stream is left behind, and
    // restarted (hs_reset_stream) at the next such byte if that is far.
    // Bytes fed before a restart's first byte, and past the end.
    static constexpr uint64_t kContext = 8;
    // A gap up to this long is fed rather than restarted.
    static constexpr uint64_t kRevive = 16;
    std::shared_ptr<const RegexSet> set_;
    hs_stream_t* stream_ = nullptr;
    hs_scratch_t* scratch_ = nullptr;
    bool skip_ = false;
    bool simd_ = false;       // byte_mask_avx512 runs here
    uint64_t seen_ = 0;       // bytes handed to scan()
    uint64_t base_ = 0;       // the offset of the Vectorscan stream's first byte
    uint64_t fed_ = 0;        // the offset up to which it has been fed
    uint64_t live_end_ = 0;   // it need not be fed past here
    uint64_t undecided_ = 0;  // characters starting here or later may not be whole yet
    char recent_[64] = {};  // the byte at offset o is recent_[o % 64], for o in [seen_ - 64, seen_)
  };

 private:
  RegexSet() = default;
  hs_database_t* db_ = nullptr;
  hs_scratch_t* prototype_scratch_ = nullptr;  // cloned per stream: scratch is per thread of use
  std::vector<uint32_t> rules_;
  uint64_t max_width_ = 0;
  bool skips_ = false;
  ByteTable first_;        // the ASCII bytes matches start with, where skips_
  CharTable first_chars_;  // the ideographs they start with
};

}  // namespace zhi::compliance
