#include "compliance/t2s_map.h"

#include <opencc/opencc.h>

#include <string>

#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

// Han blocks that hold Traditional forms: Extension A, the URO,
// compatibility ideographs, and the supplementary ideographic plane.
constexpr char32_t kHanRanges[][2] = {
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FFFF}};

constexpr const char* kConfig = "t2s.json";

class OpenccHandle {
 public:
  explicit OpenccHandle(opencc_t h) : h_(h) {}
  ~OpenccHandle() {
    if (valid()) opencc_close(h_);
  }
  OpenccHandle(const OpenccHandle&) = delete;
  OpenccHandle& operator=(const OpenccHandle&) = delete;
  bool valid() const { return h_ != reinterpret_cast<opencc_t>(-1); }
  opencc_t get() const { return h_; }

 private:
  opencc_t h_;
};

}  // namespace

Result<T2sMap> build_t2s_map() {
  OpenccHandle cc(opencc_open(kConfig));
  if (!cc.valid()) {
    const char* why = opencc_error();
    return not_found(std::string("OpenCC config ") + kConfig + ": " + (why ? why : "cannot open") +
                     " (install libopencc-data, see scripts/setup.sh)");
  }
  // One call for all characters, newline-separated so that OpenCC's phrase
  // segmentation never joins two of them.
  std::string in;
  in.reserve(500000);
  for (const auto& r : kHanRanges) {
    for (char32_t cp = r[0]; cp <= r[1]; ++cp) {
      append_utf8(in, cp);
      in += '\n';
    }
  }
  char* raw = opencc_convert_utf8(cc.get(), in.data(), in.size());
  if (raw == nullptr) {
    const char* why = opencc_error();
    return internal_error(std::string("OpenCC conversion failed: ") +
                          (why ? why : "unknown error"));
  }
  const std::string out(raw);
  opencc_convert_utf8_free(raw);

  T2sMap map;
  map.reserve(8192);
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const auto* op = reinterpret_cast<const unsigned char*>(out.data());
  size_t i = 0, o = 0;
  while (i < in.size() && o < out.size()) {
    const Decoded src = decode_utf8(ip + i, in.size() - i);
    const size_t line_end = out.find('\n', o);
    if (line_end == std::string::npos) break;
    const Decoded dst = decode_utf8(op + o, line_end - o);
    // Keep only one-to-one changes; OpenCC never splits a character here, but
    // a many-character output would break the offset map, so it is skipped.
    if (dst.len == line_end - o && dst.cp != src.cp && dst.cp != kReplacementChar)
      map.emplace(src.cp, dst.cp);
    i += src.len + 1;
    o = line_end + 1;
  }
  if (i != in.size()) return internal_error("OpenCC t2s output does not line up with its input");
  return map;
}

}  // namespace zhi::compliance
