// Finds stop strings in streamed text without ever showing the user part of one.
//
// Decoded tokens arrive as pieces that can end anywhere: inside a stop string ("</" of
// "</answer>") or inside a UTF-8 character (byte-level BPE splits 3-byte CJK characters).
// push() returns the text that is safe to show now and holds back the rest: the longest
// tail that could still grow into a stop string, and a trailing incomplete UTF-8
// character. When a stop string completes, the text before it is released and the stop
// string and everything after it are dropped.
//
// When several stop strings match, the one that completes first wins (then the longest),
// which is what a token-by-token stream would see, so the result does not depend on how
// the text was cut into pieces.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zhi {

struct StopStep {
  std::string text;     // safe to emit now
  bool stopped = false; // a stop string completed; `text` ends just before it
  int stop_index = -1;  // which stop string, when stopped
};

class StopMatcher {
 public:
  // Rejects empty stop strings (they would match before any text). No stop strings is
  // fine: the matcher then only holds back incomplete UTF-8.
  static Result<StopMatcher> create(std::vector<std::string> stops);

  // Feeds the next piece. After a stop, further pieces are ignored and return
  // {"", true, index} again.
  StopStep push(std::string_view piece);

  // The stream ended without a stop: returns what was held back, even an incomplete
  // UTF-8 character (the caller sees every byte the model produced).
  std::string finish();

  bool stopped() const { return stop_index_ >= 0; }
  void reset();

  const std::vector<std::string>& stops() const { return stops_; }

 private:
  explicit StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}

  std::vector<std::string> stops_;
  std::string held_;
  int stop_index_ = -1;
};

}  // namespace zhi
