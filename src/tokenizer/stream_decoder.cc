#include "tokenizer/stream_decoder.h"

#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_util.h"

namespace zhi {

Result<std::string> StreamDecoder::push(int32_t id) {
  if (!tokenizer_->valid_id(id)) {
    return out_of_range("stream decoder: token id " + std::to_string(id) + " is outside [0, " +
                        std::to_string(tokenizer_->n_vocab()) + ")");
  }
  pending_ += tokenizer_->token_bytes(id);

  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    const Utf8Decoded d = decode_utf8(pending_.data() + i, pending_.size() - i);
    if (d.status == Utf8Status::kTruncated) break;  // wait for the rest
    if (d.status == Utf8Status::kValid) {
      out.append(pending_, i, d.len);
    } else {
      out.append(kReplacementChar);
    }
    i += d.len;
  }
  pending_.erase(0, i);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out = sanitize_utf8(pending_);
  pending_.clear();
  return out;
}

}  // namespace zhi
