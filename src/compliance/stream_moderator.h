// Moderation of generated output, one text delta at a time, as a generation
// loop produces it:
//
//   auto s = mod->stream(user_language).value();
//   for (each decoded delta) {
//     StreamStep st = s.feed(delta).value();
//     if (st.replace) ui.clear();
//     ui.append(st.text);
//     if (st.stop) break;  // guardrail_violation: category st.category
//   }
//   StreamStep last = s.finish().value();  // releases the held-back tail
//
// Text is held back only as long as a term could still complete over it (the
// longest term, in characters), so a mask can be applied before the text is
// shown and a refused term is never shown in part. A refuse hit stops the
// stream and replaces everything shown with the refusal ("stop + retract").
// A regular-expression mask hit over text already shown rewrites it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compliance/moderator.h"
#include "compliance/scanner.h"

namespace zhi::compliance {

struct StreamStep {
  bool stop = false;     // refuse: end generation now
  bool replace = false;  // discard everything shown so far and show `text` instead
  std::string text;      // the next text to show (or the replacement)
  int category = -1;     // category that stopped or rewrote the output
};

class StreamModerator {
 public:
  StreamModerator(std::shared_ptr<const Moderator> mod, Scanner scanner, std::string language);

  Result<StreamStep> feed(std::string_view delta);
  Result<StreamStep> finish();

  bool stopped() const { return stopped_; }
  // Findings so far; after finish(), the full verdict for the output
  // (`masked` holds the whole masked text).
  const Verdict& verdict() const { return verdict_; }

 private:
  StreamStep step(bool at_end);

  std::shared_ptr<const Moderator> mod_;
  Scanner scanner_;
  std::string text_;  // everything fed, for release and masking
  uint64_t released_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> masks_;
  Verdict verdict_;
  bool stopped_ = false;
  bool finished_ = false;
};

}  // namespace zhi::compliance
