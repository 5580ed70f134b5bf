#include "compliance/regex_set.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "compliance/ascii_block.h"
#include "compliance/regex_first_bytes.h"

namespace zhi::compliance {
namespace {

std::string hs_error_name(hs_error_t e) {
  switch (e) {
    case HS_NOMEM:
      return "out of memory";
    case HS_INVALID:
      return "invalid argument";
    case HS_SCRATCH_IN_USE:
      return "scratch in use";
    case HS_ARCH_ERROR:
      return "CPU not supported by Vectorscan";
    default:
      return "Vectorscan error " + std::to_string(e);
  }
}

struct CallbackContext {
  const RegexSet::OnMatch* on_match;
  uint64_t base;  // the stream offset Vectorscan's offsets count from
};

int on_hs_match(unsigned id, unsigned long long from, unsigned long long to, unsigned /*flags*/,
                void* ctx) {
  const auto* c = static_cast<CallbackContext*>(ctx);
  (*c->on_match)(id, c->base + from, c->base + to);
  return 0;  // keep scanning: every hit is reported
}

// Vectorscan's analysis of one pattern: its match widths in bytes.
struct Widths {
  uint64_t min = 0, max = 0;  // max: RegexSet::kUnbounded when unbounded
};

Result<Widths> pattern_widths(const std::string& expression) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(expression.c_str(), kRegexFlags, &info, &err) != HS_SUCCESS) {
    const std::string msg = err && err->message ? err->message : "rejected";
    if (err) hs_free_compile_error(err);
    return invalid_argument("bad regular expression: " + msg);
  }
  Widths w{info->min_width, info->max_width == UINT_MAX ? RegexSet::kUnbounded : info->max_width};
  std::free(info);  // allocated by Vectorscan's default (malloc) allocator
  return w;
}

}  // namespace

Status check_regex(const std::string& expression) {
  ZHI_ASSIGN_OR_RETURN(Widths w, pattern_widths(expression));
  if (w.min == 0) return invalid_argument("regular expression can match empty text");
  return Status();
}

Result<std::shared_ptr<const RegexSet>> RegexSet::compile(const std::vector<Pattern>& patterns,
                                                          int* bad_pattern) {
  *bad_pattern = -1;
  std::shared_ptr<RegexSet> set(new RegexSet());
  if (patterns.empty()) return std::shared_ptr<const RegexSet>(set);
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < patterns.size(); ++i) {
    exprs.push_back(patterns[i].expression.c_str());
    flags.push_back(kRegexFlags);
    ids.push_back(static_cast<unsigned>(i));
    set->rules_.push_back(patterns[i].rule);
    Result<Widths> w = pattern_widths(patterns[i].expression);
    if (!w.ok()) {
      *bad_pattern = static_cast<int>(i);
      return w.status();
    }
    set->max_width_ = std::max(set->max_width_, w->max);
  }
  StartSet first;
  bool known = set->max_width_ != kUnbounded;
  for (size_t i = 0; known && i < patterns.size(); ++i) {
    StartSet s;
    known = regex_first_bytes(patterns[i].expression, &s);
    first.merge(s);
  }
  if (known && !first.empty() && first.chars.size() <= CharTable::kMax) {
    set->skips_ = true;
    set->first_.lo = 127;
    set->first_.hi = 0;
    for (unsigned b = 0; b < 128; ++b) {
      if (!first.bytes.has(static_cast<unsigned char>(b))) continue;
      set->first_.member[b] = 1;
      set->first_.lo = std::min<uint8_t>(set->first_.lo, static_cast<uint8_t>(b));
      set->first_.hi = std::max<uint8_t>(set->first_.hi, static_cast<uint8_t>(b));
    }
    for (char32_t cp : first.chars) {  // three bytes each (is_start_ideograph)
      CharTable& t = set->first_chars_;
      t.b0[t.n] = static_cast<uint8_t>(0xE0 | (cp >> 12));
      t.b1[t.n] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
      t.b2[t.n] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
      ++t.n;
    }
  }
  hs_compile_error_t* err = nullptr;
  const hs_error_t rc =
      hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_STREAM | HS_MODE_SOM_HORIZON_LARGE, nullptr, &set->db_, &err);
  if (rc != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : hs_error_name(rc);
    if (err) {
      *bad_pattern = err->expression;
      hs_free_compile_error(err);
    }
    return invalid_argument("regular expression: " + msg);
  }
  if (const hs_error_t e = hs_alloc_scratch(set->db_, &set->prototype_scratch_); e != HS_SUCCESS)
    return internal_error("Vectorscan scratch: " + hs_error_name(e));
  return std::shared_ptr<const RegexSet>(set);
}

RegexSet::~RegexSet() {
  if (prototype_scratch_) hs_free_scratch(prototype_scratch_);
  if (db_) hs_free_database(db_);
}

Result<RegexSet::Stream> RegexSet::Stream::open(std::shared_ptr<const RegexSet> set, Skip skip) {
  Stream s;
  s.set_ = std::move(set);
  s.skip_ = skip == Skip::kWhereSafe && s.set_->skips_;
  s.simd_ = ascii_block_simd();
  s.live_end_ = s.skip_ ? 0 : ~uint64_t{0};
  if (s.set_->db_ == nullptr) return s;  // no patterns: a stream that never matches
  if (const hs_error_t e = hs_clone_scratch(s.set_->prototype_scratch_, &s.scratch_);
      e != HS_SUCCESS)
    return internal_error("Vectorscan scratch: " + hs_error_name(e));
  if (const hs_error_t e = hs_open_stream(s.set_->db_, 0, &s.stream_); e != HS_SUCCESS)
    return internal_error("Vectorscan stream: " + hs_error_name(e));
  return s;
}

// A fresh Stream holds no Vectorscan handles, so the assignment's release()
// is a no-op here: the member list is kept in one place.
RegexSet::Stream::Stream(Stream&& o) noexcept { *this = std::move(o); }

RegexSet::Stream& RegexSet::Stream::operator=(Stream&& o) noexcept {
  if (this != &o) {
    release();
    set_ = std::move(o.set_);
    stream_ = std::exchange(o.stream_, nullptr);
    scratch_ = std::exchange(o.scratch_, nullptr);
    skip_ = o.skip_;
    simd_ = o.simd_;
    seen_ = o.seen_;
    base_ = o.base_;
    fed_ = o.fed_;
    live_end_ = o.live_end_;
    undecided_ = o.undecided_;
    std::memcpy(recent_, o.recent_, sizeof recent_);
  }
  return *this;
}

RegexSet::Stream::~Stream() { release(); }

void RegexSet::Stream::release() {
  if (stream_) hs_close_stream(stream_, scratch_, nullptr, nullptr);
  if (scratch_) hs_free_scratch(scratch_);
  stream_ = nullptr;
  scratch_ = nullptr;
}

Status RegexSet::Stream::feed(uint64_t from, uint64_t to, const char* data, uint64_t start,
                              void* ctx) {
  const auto call = [&](const char* p, size_t len) -> Status {
    const hs_error_t e =
        hs_scan_stream(stream_, p, static_cast<unsigned>(len), 0, scratch_, on_hs_match, ctx);
    if (e != HS_SUCCESS) return internal_error("Vectorscan scan: " + hs_error_name(e));
    return Status();
  };
  if (from < start) {  // within kRevive + kContext + 2 bytes: recent_ holds them
    char buf[sizeof recent_];
    if (start - from > sizeof buf) return internal_error("regex stream: context lost");
    const uint64_t upto = std::min(to, start);
    size_t k = 0;
    for (uint64_t o = from; o < upto; ++o) buf[k++] = recent_[o % 64];
    ZHI_RETURN_IF_ERROR(call(buf, k));
    from = upto;
  }
  for (uint64_t o = from; o < to; o += kMaxScanBytes)
    ZHI_RETURN_IF_ERROR(call(data + (o - start), std::min<uint64_t>(kMaxScanBytes, to - o)));
  fed_ = to;
  return Status();
}

Status RegexSet::Stream::scan(const char* data, size_t n, const OnMatch& on_match) {
  if (stream_ == nullptr) return Status();
  const uint64_t start = seen_;
  const auto byte_at = [&](uint64_t o) {
    return static_cast<unsigned char>(o >= start ? data[o - start] : recent_[o % 64]);
  };
  CallbackContext ctx{&on_match, base_};
  // Matches can start at offsets first .. last, and at none between the
  // last window and first.
  const auto starts = [&](uint64_t first, uint64_t last) -> Status {
    if (first > live_end_ + kRevive) {
      // Far past the last window: finish it, then restart Vectorscan's
      // stream with the whole characters of the kContext bytes before.
      if (fed_ < live_end_) ZHI_RETURN_IF_ERROR(feed(fed_, live_end_, data, start, &ctx));
      uint64_t from = first - kContext;
      while (from < first && (byte_at(from) & 0xC0) == 0x80) ++from;
      if (from == first) from = first - kContext;  // not UTF-8: keep the bytes as they are
      hs_reset_stream(stream_, 0, nullptr, nullptr, nullptr);
      base_ = from;
      fed_ = from;
      ctx.base = base_;
    }
    live_end_ = std::max(live_end_, last + set_->max_width_ + kContext);
    return Status();
  };
  const CharTable& chars = set_->first_chars_;
  if (skip_ && chars.n > 0) {
    // Characters that began in the last call and end in this one.
    for (uint64_t j = undecided_; j < start && j + 2 < start + n; ++j) {
      for (uint32_t i = 0; i < chars.n; ++i) {
        if (byte_at(j) == chars.b0[i] && byte_at(j + 1) == chars.b1[i] &&
            byte_at(j + 2) == chars.b2[i]) {
          ZHI_RETURN_IF_ERROR(starts(j, j));
          break;
        }
      }
    }
  }
  for (size_t c = 0; c < n; c += 64) {
    const uint64_t at = start + c, end = at + std::min<size_t>(64, n - c);
    if (skip_) {
      const auto* p = reinterpret_cast<const unsigned char*>(data + c);
      uint64_t m = simd_ ? byte_mask_avx512(p, end - at, set_->first_)
                         : byte_mask_scalar(p, end - at, set_->first_);
      if (chars.n > 0)
        m |= simd_ ? char_starts_avx512(p, n - c, chars) : char_starts_scalar(p, n - c, chars);
      if (m != 0) {
        ZHI_RETURN_IF_ERROR(starts(at + static_cast<uint64_t>(__builtin_ctzll(m)),
                                   at + 63 - static_cast<uint64_t>(__builtin_clzll(m))));
      }
    }
    // Fed in whole calls where the window runs on into the next block: a
    // call costs about as much as 64 bytes.
    const uint64_t to = std::min(end, live_end_);
    if (fed_ < to && (to - fed_ >= kMaxScanBytes || to < end || c + 64 >= n))
      ZHI_RETURN_IF_ERROR(feed(fed_, to, data, start, &ctx));
  }
  for (size_t k = n > 64 ? n - 64 : 0; k < n; ++k) recent_[(start + k) % 64] = data[k];
  seen_ += n;
  undecided_ = std::max(undecided_, seen_ >= 2 ? seen_ - 2 : 0);
  return Status();
}

Status RegexSet::Stream::close(const OnMatch& on_match) {
  if (stream_ == nullptr) return Status();
  CallbackContext ctx{&on_match, base_};
  // Left behind before the end: what Vectorscan would report at the end of
  // its data is not at the end of the text (and no match reaches there).
  const bool at_end = fed_ == seen_;
  const hs_error_t e =
      hs_close_stream(stream_, scratch_, at_end ? on_hs_match : nullptr, at_end ? &ctx : nullptr);
  stream_ = nullptr;
  if (e != HS_SUCCESS) return internal_error("Vectorscan close: " + hs_error_name(e));
  return Status();
}

}  // namespace zhi::compliance
