#include "tokenizer/nfc.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <cstdlib>
#include <random>

namespace zhi {
namespace {

std::string nfc(std::string_view s) {
  std::string storage;
  return std::string(nfc_normalize(s, &storage));
}

std::string reference_nfc(const std::string& s) {
  utf8proc_uint8_t* out = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(s.c_str()));
  std::string r(reinterpret_cast<char*>(out));
  std::free(out);
  return r;
}

TEST(Nfc, AlreadyNormalTextIsNotCopied) {
  std::string storage;
  const std::string text = "plain ASCII, café, 中文，ＡＢＣ, 한국어, カタカナ";
  const std::string_view v = nfc_normalize(text, &storage);
  EXPECT_EQ(v.data(), text.data());
}

TEST(Nfc, Composes) {
  EXPECT_EQ(nfc("cafe\u0301"), "caf\u00e9");
  EXPECT_EQ(nfc("\u212b"), "\u00c5");                       // Angstrom sign -> Å
  EXPECT_EQ(nfc("\u1100\u1161\u11a8"), "\uac01");           // conjoining jamo -> 각
  EXPECT_EQ(nfc("\uac00\u11a8"), "\uac01");                 // LV + T
  EXPECT_EQ(nfc("\u304b\u3099"), "\u304c");                 // か + voiced mark -> が
  EXPECT_EQ(nfc("a\u0323\u0302"), nfc("a\u0302\u0323"));    // canonical order
  EXPECT_EQ(nfc("x\u0301"), "x\u0301");                     // no precomposed form
}

TEST(Nfc, InvalidBytesPassThrough) {
  EXPECT_EQ(nfc("e\xff\u0301"), "e\xff\u0301");
  EXPECT_EQ(nfc("\xe4\xb8 e\u0301"), "\xe4\xb8 \u00e9");
}

TEST(Nfc, MatchesUtf8procOnRandomMixes) {
  const std::vector<std::string> pool = {"a", "e", "A", " ", "\n", "中", "한", "\u1100", "\u1161", "\u11a8", "\u0301",
                                         "\u0323", "\u0302", "\u0308", "か", "\u3099", "\u212b", "\u2000", "😀", "é",
                                         "ｶ", "\uff9e", "ー", "ё", "\u0345", "\u0f73", "\u0931", "\u093c"};
  std::mt19937 rng(3);
  for (int rep = 0; rep < 3000; ++rep) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) s += pool[rng() % pool.size()];
    EXPECT_EQ(nfc(s), reference_nfc(s)) << testing::PrintToString(s);
  }
}

}  // namespace
}  // namespace zhi
