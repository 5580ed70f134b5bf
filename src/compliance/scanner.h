// One pass over a text, or over a stream of pieces: folds each code point,
// builds the skeleton, and runs every term set on it. A whole text is a
// stream of one piece, so block and streaming modes share this code and
// agree by construction.
//
// Rules applied to every candidate match [s, j] of the skeleton:
//  - at most max_gap noise characters between two of its characters, and
//    no clause break (，。！？ newline) inside it;
//  - in space-separated scripts, it may not both run across a space the
//    term does not have and join two letters with no gap ("the rapist" is
//    not "therapist"; "t h e r a p i s t" and "ther*apist" are);
//  - whole-word terms start and end at word boundaries;
//  - an allow-list term covering it cancels it. Because an allow term can
//    end after the hit, a hit waits until no allow term could still cover
//    it (at most the longest allow term's length).
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/ascii_block.h"
#include "compliance/byte_sink.h"
#include "compliance/match_rules.h"
#include "core/status.h"

namespace zhi {
class ThreadPool;
}

namespace zhi::compliance {

class Scanner {
 public:
  explicit Scanner(std::shared_ptr<const MatchRules> rules);
  // Regex terms need a Vectorscan stream; without them this cannot fail.
  static Result<Scanner> create(std::shared_ptr<const MatchRules> rules);

  // Block mode over one part of a text (block_scan.h), fed all of bytes
  // [base, ...) of it in one piece: offsets count from `base`. Regular-
  // expression terms are not run here, as a match may run across parts; the
  // part keeps their input (its folded text) for regex_over_parts instead.
  static Scanner part_of_text(std::shared_ptr<const MatchRules> rules, uint64_t base);
  // After every part's finish(): runs the regex terms over the parts' folded
  // texts and appends the matches no allow term of any part covers to
  // `hits`: what one scanner over the whole text adds. With a pool, and
  // every pattern's match width bounded, each part's matches are found on
  // its own (see scanner_parts.cc); otherwise the parts run as one stream.
  static Status regex_over_parts(std::vector<Scanner>& parts, std::vector<Hit>* hits,
                                 ThreadPool* pool = nullptr);

  // The next piece of the text. Pieces may split a UTF-8 sequence anywhere.
  Status feed(std::string_view piece);
  // End of text: resolves what was waiting for more input.
  Status finish();

  // Hits that became final, in the order they did; the caller may clear it.
  std::vector<Hit>& hits() { return hits_; }

  // Original bytes before this offset can no longer be part of a new
  // literal-term hit; a streaming caller may show them.
  uint64_t stable_end() const;
  // Original bytes consumed (a split UTF-8 sequence's first bytes excluded).
  uint64_t bytes_done() const { return offset_; }

  // Runs of plain ASCII and of CJK take fast paths (ascii_run, cjk_run, in
  // scanner_fast_paths.cc) by default; off, every code point goes through
  // the general one. Results are identical either way: the switch exists so
  // tests can prove it.
  void set_fast_paths(bool on) { fast_ = on; }
  // The fast paths use AVX-512 where the CPU has it; off, their scalar
  // twins. Again identical results, switchable for the tests.
  void set_simd(bool on) { simd_ = on && ascii_block_simd(); }

 private:
  struct Pending {
    Hit hit;
    uint64_t final_at;  // skeleton index after which no allow term can cover it
  };
  struct Span {
    uint64_t begin, end;
  };
  // Regex support: the folded text's bytes map one to one onto the original's
  // except at code points whose folded form differs in length or count
  // (full-width forms, expansions, dropped characters); only those are recorded.
  struct FoldedRecord {
    uint64_t folded;  // folded byte offset
    uint64_t begin;   // original byte offset
    uint32_t folded_len;
    uint32_t len;
  };

  void process(const unsigned char* p, size_t n);
  size_t ascii_run(const unsigned char* p, size_t i, size_t n);
  size_t ascii_bytes(const unsigned char* p, size_t i, size_t n);
  void ascii_block(const AsciiBlock& b, uint64_t begin);
  size_t cjk_run(const unsigned char* p, size_t i, size_t n);
  void code_point(char32_t cp, uint64_t begin, uint32_t len);
  void fold_out(char32_t folded, uint64_t begin, uint32_t len);
  [[gnu::always_inline]] inline void word_char(const FoldedChar& f, uint64_t begin, uint32_t len);
  [[gnu::always_inline]] inline void noise_char(const FoldedChar& f);
  void end_of_word();  // the last word character ends a word: probe whole-word terms
  // What end_of_word and probe_anywhere do with each term ending at j (the
  // fast paths' batched probes do the same).
  struct WordHit {
    Scanner* sc;
    uint64_t j;
    void operator()(const TermRef& t) const;
  };
  struct AnywhereHit {
    Scanner* sc;
    uint64_t j;
    void operator()(const TermRef& t) const;
  };
  void probe_allow(uint64_t j);
  void probe_anywhere(uint64_t j);
  bool span_ok(const TermRef& t, uint64_t s, uint64_t j, bool whole_word) const;
  void candidate(uint32_t rule, uint64_t begin, uint64_t end, uint64_t s);
  void settle(bool all);
  bool covered(const Hit& h) const;
  void regex_match(unsigned id, uint64_t from, uint64_t to);
  Status scan_folded();

  std::shared_ptr<const MatchRules> rules_;
  const MatchRules* r_;  // rules_.get(), for the hot loop
  SkeletonWindow w_;
  uint32_t gap_ = 0;
  uint8_t gap_flags_ = 0;
  bool word_end_pending_ = false;  // the last word character may end a whole-word term
  uint64_t barrier_ = 0;    // first skeleton index after the last clause break or over-long gap
  uint64_t after_cjk_ = 0;  // skeleton index after the last CJK character
  bool finished_ = false;
  bool whole_piece_ = false;  // part_of_text: fed once, with all of its part
  bool fast_ = true;
  bool simd_ = ascii_block_simd();
  std::string carry_;  // first bytes of a UTF-8 sequence split across pieces
  uint64_t offset_ = 0;
  std::deque<Pending> pending_;
  std::vector<Span> allows_;
  std::vector<Hit> hits_;

  bool use_regex_ = false;  // fold the text for regex terms (run by regex_, or deferred)
  std::unique_ptr<RegexSet::Stream> regex_;
  ByteSink folded_;  // folded bytes of the current piece, for the regex stream
  uint64_t folded_done_ = 0;
  std::vector<FoldedRecord> folded_records_;
};

}  // namespace zhi::compliance
