#include "compliance/regex_set.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <utility>

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
};

int on_hs_match(unsigned id, unsigned long long from, unsigned long long to, unsigned /*flags*/,
                void* ctx) {
  const auto* c = static_cast<CallbackContext*>(ctx);
  (*c->on_match)(id, from, to);
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

Result<RegexSet::Stream> RegexSet::Stream::open(std::shared_ptr<const RegexSet> set) {
  Stream s;
  s.set_ = std::move(set);
  if (s.set_->db_ == nullptr) return s;  // no patterns: a stream that never matches
  if (const hs_error_t e = hs_clone_scratch(s.set_->prototype_scratch_, &s.scratch_);
      e != HS_SUCCESS)
    return internal_error("Vectorscan scratch: " + hs_error_name(e));
  if (const hs_error_t e = hs_open_stream(s.set_->db_, 0, &s.stream_); e != HS_SUCCESS)
    return internal_error("Vectorscan stream: " + hs_error_name(e));
  return s;
}

RegexSet::Stream::Stream(Stream&& o) noexcept
    : set_(std::move(o.set_)),
      stream_(std::exchange(o.stream_, nullptr)),
      scratch_(std::exchange(o.scratch_, nullptr)) {}

RegexSet::Stream& RegexSet::Stream::operator=(Stream&& o) noexcept {
  if (this != &o) {
    release();
    set_ = std::move(o.set_);
    stream_ = std::exchange(o.stream_, nullptr);
    scratch_ = std::exchange(o.scratch_, nullptr);
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

Status RegexSet::Stream::scan(const char* data, size_t n, const OnMatch& on_match) {
  if (stream_ == nullptr) return Status();
  CallbackContext ctx{&on_match};
  for (size_t at = 0; at < n; at += kMaxScanBytes) {
    const size_t len = std::min(kMaxScanBytes, n - at);
    const hs_error_t e = hs_scan_stream(stream_, data + at, static_cast<unsigned>(len), 0, scratch_,
                                        on_hs_match, &ctx);
    if (e != HS_SUCCESS) return internal_error("Vectorscan scan: " + hs_error_name(e));
  }
  return Status();
}

Status RegexSet::Stream::close(const OnMatch& on_match) {
  if (stream_ == nullptr) return Status();
  CallbackContext ctx{&on_match};
  const hs_error_t e = hs_close_stream(stream_, scratch_, on_hs_match, &ctx);
  stream_ = nullptr;
  if (e != HS_SUCCESS) return internal_error("Vectorscan close: " + hs_error_name(e));
  return Status();
}

}  // namespace zhi::compliance
