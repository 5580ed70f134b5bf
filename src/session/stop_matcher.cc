#include "session/stop_matcher.h"

#include <algorithm>
#include <utility>

namespace zhi {
namespace {

// Bytes at the end of `s` that begin a UTF-8 character but do not finish it (0 to 3).
// Malformed input is not held: holding it would not make it valid.
size_t incomplete_utf8_tail(std::string_view s) {
  const size_t n = s.size();
  for (size_t back = 1; back <= std::min<size_t>(n, 3); ++back) {
    const auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    size_t need = 0;
    if ((c & 0xE0) == 0xC0) {
      need = 2;
    } else if ((c & 0xF0) == 0xE0) {
      need = 3;
    } else if ((c & 0xF8) == 0xF0) {
      need = 4;
    }
    return need > back ? back : 0;
  }
  return 0;
}

// Length of the longest proper prefix of `stop` that `s` ends with.
size_t partial_stop_tail(std::string_view s, std::string_view stop) {
  for (size_t len = std::min(s.size(), stop.size() - 1); len > 0; --len) {
    if (s.ends_with(stop.substr(0, len))) return len;
  }
  return 0;
}

}  // namespace

Result<StopMatcher> StopMatcher::create(std::vector<std::string> stops) {
  for (size_t i = 0; i < stops.size(); ++i) {
    if (stops[i].empty()) return invalid_argument("stop[" + std::to_string(i) + "]: empty stop string");
  }
  return StopMatcher(std::move(stops));
}

StopStep StopMatcher::push(std::string_view piece) {
  StopStep step;
  if (stopped()) {
    step.stopped = true;
    step.stop_index = stop_index_;
    return step;
  }
  held_.append(piece);

  // The match that ends first; on equal ends, the longer (earlier-starting) one.
  size_t best_end = std::string::npos;
  size_t best_start = 0;
  for (size_t i = 0; i < stops_.size(); ++i) {
    const size_t at = held_.find(stops_[i]);
    if (at == std::string::npos) continue;
    const size_t end = at + stops_[i].size();
    if (end < best_end || (end == best_end && at < best_start)) {
      best_end = end;
      best_start = at;
      stop_index_ = static_cast<int>(i);
    }
  }
  if (stopped()) {
    step.text = held_.substr(0, best_start);
    step.stopped = true;
    step.stop_index = stop_index_;
    held_.clear();
    return step;
  }

  size_t hold = incomplete_utf8_tail(held_);
  for (const std::string& stop : stops_) hold = std::max(hold, partial_stop_tail(held_, stop));
  step.text = held_.substr(0, held_.size() - hold);
  held_.erase(0, held_.size() - hold);
  return step;
}

std::string StopMatcher::finish() {
  if (stopped()) return {};
  return std::exchange(held_, {});
}

void StopMatcher::reset() {
  held_.clear();
  stop_index_ = -1;
}

}  // namespace zhi
