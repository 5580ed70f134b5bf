// Hostile-input tests for the GGUF reader. Each crafted file must be refused
// with a Status whose message names the field at fault: never a crash, an
// abort, a huge allocation or a read outside the mapping (run under ASan).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "test_paths.h"

namespace zhi {
namespace {

constexpr uint32_t kTypeU8 = 0;
constexpr uint32_t kTypeU16 = 2;
constexpr uint32_t kTypeU32 = 4;
constexpr uint32_t kTypeI32 = 5;
constexpr uint32_t kTypeString = 8;
constexpr uint32_t kTypeArray = 9;
constexpr uint32_t kTypeU64 = 10;

constexpr uint32_t kGgmlF32 = 0;
constexpr uint32_t kGgmlQ4_0 = 2;
constexpr uint32_t kGgmlQ8_0 = 8;
constexpr uint32_t kGgmlQ8_K = 15;

// Little-endian byte builder: just enough GGUF vocabulary to write any file,
// well-formed or not, field by field.
class Bytes {
 public:
  Bytes& u8(uint8_t v) { return pod(v); }
  Bytes& u16(uint16_t v) { return pod(v); }
  Bytes& u32(uint32_t v) { return pod(v); }
  Bytes& i32(int32_t v) { return pod(v); }
  Bytes& u64(uint64_t v) { return pod(v); }
  Bytes& raw(std::string_view s) {
    b_.append(s);
    return *this;
  }
  Bytes& str(std::string_view s) { return u64(s.size()).raw(s); }
  Bytes& zeros(size_t n) {
    b_.append(n, '\0');
    return *this;
  }
  Bytes& pad_to(size_t align) { return zeros((align - b_.size() % align) % align); }

  // File header: magic, version, tensor_count, kv_count.
  Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return raw("GGUF").u32(version).u64(n_tensors).u64(n_kv);
  }
  Bytes& kv_u32(std::string_view key, uint32_t v) { return str(key).u32(kTypeU32).u32(v); }
  Bytes& kv_u16(std::string_view key, uint16_t v) { return str(key).u32(kTypeU16).u16(v); }
  Bytes& kv_i32(std::string_view key, int32_t v) { return str(key).u32(kTypeI32).i32(v); }
  Bytes& kv_str(std::string_view key, std::string_view v) { return str(key).u32(kTypeString).str(v); }
  Bytes& tensor_info(std::string_view name, std::initializer_list<uint64_t> dims, uint32_t type,
                     uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) u64(d);
    return u32(type).u64(offset);
  }

  const std::string& data() const { return b_; }
  size_t size() const { return b_.size(); }

 private:
  template <typename T>
  Bytes& pod(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    b_.append(buf, sizeof(T));
    return *this;
  }
  std::string b_;
};

// When set, every crafted file is also copied there: scripts/fuzz.sh seeds its corpus this way.
const char* seed_dir() {
  const char* d = std::getenv("ZHI_GGUF_SEED_DIR");
  return d != nullptr && *d != '\0' ? d : nullptr;
}

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fresh per-test path, so that failures can be reproduced from the file left behind.
std::string test_path(std::string_view suffix = ".gguf") {
  static int counter = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return testing::temp_dir() + "/" + info->test_suite_name() + "." + info->name() + "-" +
         std::to_string(counter++) + std::string(suffix);
}

Result<GgufFile> open_bytes(std::string_view bytes, const std::string& path) {
  write_file(path, bytes);
  return GgufFile::open(path);
}

// Crafted files are small and each probes one rule: good fuzzing seeds.
Result<GgufFile> open_bytes(const Bytes& b) {
  const std::string path = test_path();
  if (const char* d = seed_dir()) write_file(std::string(d) + "/" + std::filesystem::path(path).filename().string(), b.data());
  return open_bytes(b.data(), path);
}

// Passes when `r` failed and its message contains every needle.
template <typename T>
::testing::AssertionResult fails_with(const Result<T>& r, std::initializer_list<std::string_view> needles) {
  if (r.ok()) return ::testing::AssertionFailure() << "expected an error, but it succeeded";
  const std::string& m = r.status().message();
  for (std::string_view n : needles) {
    if (m.find(n) == std::string::npos)
      return ::testing::AssertionFailure() << "message lacks \"" << n << "\": " << r.status().to_string();
  }
  return ::testing::AssertionSuccess() << r.status().to_string();
}

// Reads every metadata value through every accessor and sums every tensor
// byte, so ASan sees any view that points outside the mapping.
uint64_t touch_everything(const GgufFile& f) {
  uint64_t sum = 0;
  for (const auto& [key, v] : f.metadata()) {
    sum += key.size() + v.describe().size();
    if (auto i = v.as_int(); i.ok()) sum += static_cast<uint64_t>(i.value());
    if (auto x = v.as_float(); x.ok()) sum += x.value() == 0.0 ? 1 : 0;
    if (auto b = v.as_bool(); b.ok()) sum += b.value();
    if (auto s = v.as_string(); s.ok())
      for (char c : s.value()) sum += static_cast<unsigned char>(c);
    if (auto a = v.as_string_array(); a.ok())
      for (std::string_view s : a.value())
        for (char c : s) sum += static_cast<unsigned char>(c);
    if (auto a = v.as_int_array(); a.ok())
      for (int64_t x : a.value()) sum += static_cast<uint64_t>(x);
    if (auto a = v.as_float_array(); a.ok()) sum += a.value().size();
    if (v.type() == GgufValueType::kArray) sum += v.array_size() + static_cast<uint32_t>(v.array_type());
    sum += f.get_int(key).ok() + f.get_string(key).ok() + f.get_string_array(key).ok();
  }
  for (const auto& t : f.tensors()) {
    sum += static_cast<uint64_t>(t.rows()) + t.shape_string().size();
    for (uint64_t i = 0; i < t.n_bytes; ++i) sum += t.data[i];
  }
  return sum;
}

// A small well-formed file: two keys, an f32 tensor and a q8_0 tensor, and no
// trailing padding, so that every proper prefix of it is a truncated file.
Bytes tiny_valid_file() {
  Bytes b;
  b.header(2, 2).kv_str("general.architecture", "qwen2").kv_u32("test.value", 7);
  b.tensor_info("a", {4}, kGgmlF32, 0);
  b.tensor_info("b", {32, 2}, kGgmlQ8_0, 32);
  b.pad_to(32);
  b.zeros(16).pad_to(32);  // a: 4 x f32 = 16 bytes
  for (int i = 0; i < 68; ++i) b.u8(static_cast<uint8_t>(i));  // b: 2 q8_0 blocks = 68 bytes
  return b;
}

// One key whose type tag and payload are given verbatim.
Bytes one_kv(std::string_view key, uint32_t type, const Bytes& payload) {
  Bytes b;
  b.header(0, 1).str(key).u32(type).raw(payload.data());
  return b;
}

// One tensor info, then `data_bytes` of data after the aligned header.
Bytes one_tensor(std::initializer_list<uint64_t> dims, uint32_t type, uint64_t offset,
                 size_t data_bytes, std::string_view name = "t") {
  Bytes b;
  b.header(1, 0).tensor_info(name, dims, type, offset).pad_to(32).zeros(data_bytes);
  return b;
}

// --- Sanity --------------------------------------------------------------

TEST(GgufBadInput, TinyValidFileParses) {
  auto f = open_bytes(tiny_valid_file());
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->tensors().size(), 2u);
  EXPECT_EQ(f->find_tensor("b")->n_bytes, 68u);
  EXPECT_EQ(f->find_tensor("b")->data[67], 67);
  EXPECT_EQ(f->get_int("test.value").value(), 7);
  touch_everything(f.value());
}

TEST(GgufBadInput, Version2IsAccepted) {
  Bytes b;
  b.header(0, 1, 2).kv_u32("k", 1);
  EXPECT_TRUE(open_bytes(b).ok());
}

TEST(GgufBadInput, WriterOutputIsAccepted) {
  GgufWriter w;
  w.set("general.architecture", GgufValue::from_string("qwen2"));
  w.set("general.alignment", GgufValue::from_u32(64));
  w.set("tokenizer.ggml.tokens", GgufValue::from_string_array({"a", "b", ""}));
  w.set("tokenizer.ggml.token_type", GgufValue::from_i32_array({1, 1, 3}));
  w.set("split.count", GgufValue::from_u16(1));  // one part: not a split model
  ASSERT_TRUE(w.add_tensor("x", GgmlType::kQ4_0, {64, 3}, [](uint8_t* d, uint64_t n) {
                 for (uint64_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>(i * 7);
                 return Status();
               }).ok());
  ASSERT_TRUE(w.add_tensor("y", GgmlType::kF16, {5}, [](uint8_t*, uint64_t) { return Status(); }).ok());
  const std::string path = test_path();
  ASSERT_TRUE(w.write(path).ok());
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->alignment(), 64u);
  const GgufTensor* x = f->find_tensor("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->n_bytes, 2u * 18 * 3);
  EXPECT_EQ(x->data[5], 35);
  EXPECT_EQ(f->find_tensor("y")->offset % 64, 0u);
  touch_everything(f.value());
}

// --- Writer: never writes a file its own reader would refuse ----------------

TEST(GgufBadInput, WriterRefusesAlignmentTheReaderWouldReject) {
  for (GgufValue bad : {GgufValue::from_u32(0), GgufValue::from_u32(3), GgufValue::from_u32(1u << 21),
                        GgufValue::from_string("32")}) {
    GgufWriter w;
    w.set("general.alignment", bad);
    auto s = w.write(test_path());
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("general.alignment"), std::string::npos) << s.to_string();
  }
}

TEST(GgufBadInput, WriterPaddingFollowsTheAlignmentKey) {
  // Setting then removing (or replacing) general.alignment must leave the
  // padding the reader will assume, or tensor data is read from the wrong place.
  for (int variant = 0; variant < 2; ++variant) {
    GgufWriter w;
    w.set("general.alignment", GgufValue::from_u32(256));
    if (variant == 0) w.remove("general.alignment");
    else w.set("general.alignment", GgufValue::from_u32(32));
    w.set("k", GgufValue::from_u8(1));
    ASSERT_TRUE(w.add_tensor("x", GgmlType::kF32, {4}, [](uint8_t* d, uint64_t n) {
                   for (uint64_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>(i + 1);
                   return Status();
                 }).ok());
    const std::string path = test_path();
    ASSERT_TRUE(w.write(path).ok());
    auto f = GgufFile::open(path);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    EXPECT_EQ(f->alignment(), 32u);
    EXPECT_EQ(f->find_tensor("x")->data[0], 1) << "variant " << variant;
  }
}

TEST(GgufBadInput, WriterRefusesEmptyDims) {
  GgufWriter w;
  auto noop = [](uint8_t*, uint64_t) { return Status(); };
  EXPECT_FALSE(w.add_tensor("x", GgmlType::kF32, {0}, noop).ok());
  EXPECT_FALSE(w.add_tensor("x", GgmlType::kF32, {4, 0}, noop).ok());
  EXPECT_FALSE(w.add_tensor("x", GgmlType::kF32, {}, noop).ok());
  EXPECT_FALSE(w.add_tensor("x", GgmlType::kQ4_0, {33}, noop).ok());
  EXPECT_FALSE(w.add_tensor(std::string(70000, 'n'), GgmlType::kF32, {4}, noop).ok());
}

// --- Header ----------------------------------------------------------------

TEST(GgufBadInput, EmptyFile) {
  EXPECT_TRUE(fails_with(open_bytes(Bytes()), {"magic", "file ends"}));
}

TEST(GgufBadInput, EveryTruncationFailsCleanly) {
  const Bytes full = tiny_valid_file();
  const std::string path = test_path();
  for (size_t n = 0; n < full.size(); ++n) {
    auto f = open_bytes(std::string_view(full.data()).substr(0, n), path);
    ASSERT_FALSE(f.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_NE(f.status().message().find(path), std::string::npos) << f.status().to_string();
  }
  EXPECT_TRUE(open_bytes(full.data(), path).ok());
}

TEST(GgufBadInput, BadMagic) {
  Bytes b;
  b.raw("GGUG").u32(3).u64(0).u64(0);
  EXPECT_TRUE(fails_with(open_bytes(b), {"bad magic"}));
  Bytes ggml;  // the pre-GGUF formats start with other magics
  ggml.raw("lmgg").u32(1);
  EXPECT_TRUE(fails_with(open_bytes(ggml), {"bad magic"}));
}

TEST(GgufBadInput, UnsupportedVersions) {
  for (uint32_t v : {0u, 1u, 4u, 0xffffffffu}) {
    Bytes b;
    b.header(0, 0, v);
    auto f = open_bytes(b);
    EXPECT_TRUE(fails_with(f, {"GGUF version " + std::to_string(v)}));
    EXPECT_EQ(f.status().code(), StatusCode::kUnsupported);
  }
}

TEST(GgufBadInput, HugeCounts) {
  for (uint64_t n : {uint64_t{1} << 62, std::numeric_limits<uint64_t>::max(), uint64_t{1} << 32}) {
    Bytes t;
    t.header(n, 0).zeros(64);
    EXPECT_TRUE(fails_with(open_bytes(t), {"tensor_count"}));
    Bytes k;
    k.header(0, n).zeros(64);
    EXPECT_TRUE(fails_with(open_bytes(k), {"kv_count"}));
  }
}

TEST(GgufBadInput, CountsOverTheEntryLimit) {
  // Counts the file could hold byte-wise, but far beyond any real model: each
  // parsed entry costs several times its on-disk size, so they are capped. The
  // files are sparse: the cap must trip before any entry is read.
  for (int which = 0; which < 2; ++which) {
    const uint64_t n = (uint64_t{1} << 20) + 1;
    Bytes b;
    b.header(which == 0 ? n : 0, which == 0 ? 0 : n);
    const std::string path = test_path();
    write_file(path, b.data());
    std::filesystem::resize_file(path, 64 * n);
    auto f = GgufFile::open(path);
    EXPECT_TRUE(fails_with(f, {which == 0 ? "tensor_count" : "kv_count", "limit"}));
    std::filesystem::remove(path);
  }
}

TEST(GgufBadInput, CountsLargerThanTheFile) {
  // Plausible-looking counts that the file simply does not contain.
  Bytes k;
  k.header(0, 3).kv_u32("a", 1);
  EXPECT_TRUE(fails_with(open_bytes(k), {"kv_count"}));
  Bytes k2;
  k2.header(0, 2).kv_u32("a", 1).zeros(12);  // second entry: empty key, u8 type, no value byte
  EXPECT_TRUE(fails_with(open_bytes(k2), {"metadata key ''", "remain"}));
  Bytes t;
  t.header(2, 0).tensor_info("a", {4}, kGgmlF32, 0).zeros(16);
  EXPECT_TRUE(fails_with(open_bytes(t), {"tensor_count"}));
}

// --- Metadata ----------------------------------------------------------------

TEST(GgufBadInput, StringLengthHugeOrPastEnd) {
  for (uint64_t len : {uint64_t{1} << 62, std::numeric_limits<uint64_t>::max(), uint64_t{100}}) {
    Bytes payload;
    payload.u64(len).raw("abc");
    EXPECT_TRUE(fails_with(open_bytes(one_kv("my.key", kTypeString, payload)),
                           {"metadata key 'my.key'", "string length " + std::to_string(len)}));
  }
}

TEST(GgufBadInput, KeyLengthHugeOrOverLimit) {
  Bytes huge;
  huge.header(0, 1).u64(uint64_t{1} << 62).zeros(32);
  EXPECT_TRUE(fails_with(open_bytes(huge), {"metadata entry 0 key", "string length"}));
  Bytes over;  // present in the file, but past the key length limit
  over.header(0, 1).str(std::string(70000, 'k')).u32(kTypeU8).u8(0);
  EXPECT_TRUE(fails_with(open_bytes(over), {"metadata entry 0 key", "exceeds limit"}));
}

TEST(GgufBadInput, MetadataTooLargeToCopy) {
  // A 300 MB u8 array is well-formed, but values are copied to the heap: past
  // the cap the reader must refuse before copying. The file is sparse.
  const uint64_t n = uint64_t{300} << 20;
  Bytes b;
  b.header(0, 1).str("big.array").u32(kTypeArray).u32(kTypeU8).u64(n);
  const std::string path = test_path();
  write_file(path, b.data());
  std::filesystem::resize_file(path, b.size() + n);
  EXPECT_TRUE(fails_with(GgufFile::open(path), {"metadata key 'big.array'", "MiB"}));
  std::filesystem::remove(path);
}

TEST(GgufBadInput, UnknownValueType) {
  for (uint32_t t : {13u, 99u, 0xffffffffu}) {
    Bytes payload;
    payload.zeros(16);
    EXPECT_TRUE(fails_with(open_bytes(one_kv("my.key", t, payload)),
                           {"metadata key 'my.key'", "unknown value type " + std::to_string(t)}));
  }
}

TEST(GgufBadInput, UnknownArrayElementType) {
  Bytes payload;
  payload.u32(13).u64(1).zeros(16);
  EXPECT_TRUE(fails_with(open_bytes(one_kv("my.arr", kTypeArray, payload)),
                         {"metadata key 'my.arr'", "unknown array element type 13"}));
}

TEST(GgufBadInput, ArrayCountHuge) {
  for (uint32_t elem : {kTypeU8, kTypeU64, kTypeString, kTypeArray}) {
    for (uint64_t n : {uint64_t{1} << 60, std::numeric_limits<uint64_t>::max(), uint64_t{1000}}) {
      Bytes payload;
      payload.u32(elem).u64(n).zeros(64);
      EXPECT_TRUE(fails_with(open_bytes(one_kv("my.arr", kTypeArray, payload)),
                             {"metadata key 'my.arr'", "array length " + std::to_string(n)}))
          << "element type " << elem;
    }
  }
}

TEST(GgufBadInput, ArrayElementsRunPastEnd) {
  // Count fits the file, but an element inside does not.
  Bytes strings;
  strings.u32(kTypeString).u64(2).str("ok").u64(1000).raw("short");
  EXPECT_TRUE(fails_with(open_bytes(one_kv("my.arr", kTypeArray, strings)), {"metadata key 'my.arr'", "string length"}));
  Bytes inner;
  inner.u32(kTypeArray).u64(2).u32(kTypeU8).u64(1).u8(1).u32(kTypeU8).u64(5000).zeros(20);
  EXPECT_TRUE(fails_with(open_bytes(one_kv("my.arr", kTypeArray, inner)), {"metadata key 'my.arr'", "array length 5000"}));
}

Bytes nested_arrays(int depth) {
  // depth arrays, each holding the next; the innermost holds one u8.
  Bytes p;
  for (int i = 1; i < depth; ++i) p.u32(kTypeArray).u64(1);
  p.u32(kTypeU8).u64(1).u8(42);
  return p;
}

TEST(GgufBadInput, NestedArrays) {
  // A payload of `depth` arrays starts after the value's own array tag.
  auto legal = open_bytes(one_kv("nest", kTypeArray, nested_arrays(3)));
  ASSERT_TRUE(legal.ok()) << legal.status().to_string();
  touch_everything(legal.value());
  EXPECT_TRUE(fails_with(open_bytes(one_kv("nest", kTypeArray, nested_arrays(4))),
                         {"metadata key 'nest'", "nested too deeply"}));
  EXPECT_TRUE(fails_with(open_bytes(one_kv("nest", kTypeArray, nested_arrays(10000))),
                         {"metadata key 'nest'", "nested too deeply"}));
}

TEST(GgufBadInput, DuplicateKeys) {
  Bytes b;
  b.header(0, 2).kv_u32("dup.key", 1).kv_u32("dup.key", 2);
  EXPECT_TRUE(fails_with(open_bytes(b), {"metadata key 'dup.key'", "appears twice"}));
}

TEST(GgufBadInput, BadAlignment) {
  for (uint32_t a : {0u, 3u, 48u, 1u << 21}) {
    Bytes b;
    b.header(0, 1).kv_u32("general.alignment", a);
    EXPECT_TRUE(fails_with(open_bytes(b), {"general.alignment", std::to_string(a)}));
  }
  Bytes s;
  s.header(0, 1).kv_str("general.alignment", "32");
  EXPECT_TRUE(fails_with(open_bytes(s), {"general.alignment", "found string"}));
  Bytes big;  // a u64 that does not fit in i64
  big.header(0, 1).str("general.alignment").u32(kTypeU64).u64(std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(fails_with(open_bytes(big), {"general.alignment"}));
}

TEST(GgufBadInput, TypedGettersNameTheKey) {
  Bytes b;
  b.header(0, 4).kv_str("a.string", "hello").kv_u32("a.u32", 5);
  b.str("a.ints").u32(kTypeArray).u32(kTypeI32).u64(2).i32(1).i32(2);
  b.str("a.strings").u32(kTypeArray).u32(kTypeString).u64(1).str("x");
  auto f = open_bytes(b);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_TRUE(fails_with(f->get_string_array("a.ints"), {"a.ints", "array of string", "i32"}));
  EXPECT_TRUE(fails_with(f->get_int("a.string"), {"a.string", "integer", "string"}));
  EXPECT_TRUE(fails_with(f->get_float("a.u32"), {"a.u32", "float", "u32"}));
  EXPECT_TRUE(fails_with(f->get_bool("a.string"), {"a.string", "bool"}));
  EXPECT_TRUE(fails_with(f->get_string("a.ints"), {"a.ints", "string", "array"}));
  EXPECT_TRUE(fails_with(f->get_int_array("a.strings"), {"a.strings", "integers", "string"}));
  EXPECT_TRUE(fails_with(f->get_int_array("a.u32"), {"a.u32", "array"}));
  auto missing = f->get_int("no.such.key");
  EXPECT_TRUE(fails_with(missing, {"no.such.key", "missing"}));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(fails_with(f->require_tensor("no.such.tensor"), {"no.such.tensor"}));
  touch_everything(f.value());
}

// --- Tensor infos ------------------------------------------------------------

TEST(GgufBadInput, TensorNameHugeOrPastEnd) {
  Bytes b;
  b.header(1, 0).u64(uint64_t{1} << 62).zeros(64);
  EXPECT_TRUE(fails_with(open_bytes(b), {"tensor 0 name", "string length"}));
}

TEST(GgufBadInput, NDimsOutOfRange) {
  for (uint32_t n : {0u, 5u, 0xffffffffu}) {
    Bytes b;
    b.header(1, 0).str("t").u32(n).zeros(64);
    EXPECT_TRUE(fails_with(open_bytes(b), {"tensor 't'", "n_dims " + std::to_string(n)}));
  }
}

TEST(GgufBadInput, ZeroDim) {
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({4, 0}, kGgmlF32, 0, 64)), {"tensor 't'", "dims[1] = 0"}));
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({0}, kGgmlF32, 0, 64)), {"tensor 't'", "dims[0] = 0"}));
}

TEST(GgufBadInput, DimsProductOverflows) {
  constexpr uint64_t k32 = uint64_t{1} << 32;
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({k32, k32, k32}, kGgmlF32, 0, 64)), {"tensor 't'", "overflows"}));
  // 2^63 elements: fits u64 but not i64.
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({k32, uint64_t{1} << 31}, kGgmlF32, 0, 64)),
                         {"tensor 't'", "overflows"}));
  // A single dim above i64 max.
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({std::numeric_limits<uint64_t>::max()}, kGgmlF32, 0, 64)),
                         {"tensor 't'", "dims[0]", "out of range"}));
  // Element count fits i64, byte count (x4 for f32) does not fit u64.
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({uint64_t{1} << 62}, kGgmlF32, 0, 64)),
                         {"tensor 't'", "byte size overflows"}));
  // Element count and byte count fit, but the data is nowhere near the file.
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({uint64_t{1} << 40, 1024}, kGgmlF32, 0, 64)),
                         {"tensor 't'", "outside"}));
}

TEST(GgufBadInput, RowNotAWholeNumberOfBlocks) {
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({33}, kGgmlQ4_0, 0, 64)),
                         {"tensor 't'", "row length 33", "q4_0", "32"}));
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({128, 4}, 12 /* q4_K */, 0, 1024)),
                         {"tensor 't'", "row length 128", "q4_K", "256"}));
}

TEST(GgufBadInput, UnknownOrNonFileTypes) {
  for (uint32_t type : {99u, 4u /* removed Q4_2 */, kGgmlQ8_K, 9u /* Q8_1 */, 0xffffffffu}) {
    auto f = open_bytes(one_tensor({256}, type, 0, 2048));
    EXPECT_TRUE(fails_with(f, {"tensor 't'", "ggml type id " + std::to_string(type)}));
    EXPECT_EQ(f.status().code(), StatusCode::kUnsupported);
  }
}

TEST(GgufBadInput, OffsetNotAligned) {
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({4}, kGgmlF32, 7, 64)), {"tensor 't'", "offset 7", "aligned"}));
  Bytes b;  // aligned to the default 32 but not to a larger declared alignment
  b.header(1, 1).kv_u32("general.alignment", 64).tensor_info("t", {4}, kGgmlF32, 32).pad_to(64).zeros(128);
  EXPECT_TRUE(fails_with(open_bytes(b), {"tensor 't'", "offset 32", "64"}));
}

TEST(GgufBadInput, DataPastEndOfFile) {
  // 16 bytes of data needed; only 15 present.
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({4}, kGgmlF32, 0, 15)), {"tensor 't'", "outside"}));
  EXPECT_TRUE(fails_with(open_bytes(one_tensor({4}, kGgmlF32, 32, 40)), {"tensor 't'", "outside"}));
  EXPECT_TRUE(open_bytes(one_tensor({4}, kGgmlF32, 32, 48)).ok());
}

TEST(GgufBadInput, OffsetNearUint64Max) {
  // Aligned offsets whose offset + size wraps around to a small number.
  for (uint64_t off : {std::numeric_limits<uint64_t>::max() - 31, std::numeric_limits<uint64_t>::max() - 63,
                       uint64_t{1} << 63}) {
    EXPECT_TRUE(fails_with(open_bytes(one_tensor({64}, kGgmlF32, off, 256)), {"tensor 't'", "outside"}))
        << off;
  }
}

TEST(GgufBadInput, HeaderEndsInsidePadding) {
  // The tensor infos are complete, but the file stops before the data section.
  Bytes b;
  b.header(1, 0).tensor_info("t", {4}, kGgmlF32, 0);
  ASSERT_NE(b.size() % 32, 0u);
  EXPECT_FALSE(open_bytes(b).ok());
}

TEST(GgufBadInput, DuplicateTensorNames) {
  Bytes b;
  b.header(2, 0).tensor_info("same", {4}, kGgmlF32, 0).tensor_info("same", {4}, kGgmlF32, 32);
  b.pad_to(32).zeros(64);
  EXPECT_TRUE(fails_with(open_bytes(b), {"tensor 'same'", "appears twice"}));
}

TEST(GgufBadInput, ManyValidButOddTensors) {
  // Overlapping tensors and 4-D shapes are legal: check they parse and read in bounds.
  Bytes b;
  b.header(3, 0).tensor_info("a", {32, 1, 1, 2}, kGgmlQ4_0, 0).tensor_info("b", {9}, kGgmlF32, 0);
  b.tensor_info("c", {1}, 1 /* f16 */, 32).pad_to(32).zeros(36);
  auto f = open_bytes(b);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->find_tensor("a")->rows(), 2);
  touch_everything(f.value());
}

// --- Paths -------------------------------------------------------------------

TEST(GgufBadInput, MissingPathAndDirectory) {
  const std::string missing = testing::temp_dir() + "/does-not-exist.gguf";
  auto m = GgufFile::open(missing);
  EXPECT_TRUE(fails_with(m, {missing}));
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  const std::string dir = testing::temp_dir() + "/a-directory.gguf";
  std::filesystem::create_directories(dir);
  auto d = GgufFile::open(dir);
  EXPECT_TRUE(fails_with(d, {dir}));
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
}

// --- Split models --------------------------------------------------------------

// Part k (0-based) of n, holding one f32 tensor named "t<k>".
Bytes split_part(int k, uint16_t n, uint16_t split_no, int32_t tensors_count) {
  Bytes b;
  b.header(1, 3).kv_u16("split.no", split_no).kv_u16("split.count", n).kv_i32("split.tensors.count", tensors_count);
  // Appended rather than "t" + to_string(k): GCC 12 -O3 reports a false -Wrestrict on that.
  std::string name = "t";
  name += std::to_string(k);
  b.tensor_info(name, {8}, kGgmlF32, 0).pad_to(32).zeros(32);
  return b;
}

std::string split_dir() {
  static int counter = 0;
  const std::string d = testing::temp_dir() + "/split-" + std::to_string(counter++);
  std::filesystem::create_directories(d);
  return d;
}

TEST(GgufBadInput, SplitPartsLoad) {
  const std::string dir = split_dir();
  for (int k = 0; k < 3; ++k)
    write_file(make_split_path(dir + "/m", k + 1, 3), split_part(k, 3, static_cast<uint16_t>(k), 3).data());
  auto f = GgufFile::open(make_split_path(dir + "/m", 1, 3));
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->part_count(), 3);
  if (const char* d = seed_dir()) {
    // fuzz/gguf_fuzz.cc starts a new part at each later "GGUF" magic.
    std::string set;
    for (int k = 0; k < 3; ++k) set += split_part(k, 3, static_cast<uint16_t>(k), 3).data();
    write_file(std::string(d) + "/split-set-of-3.gguf", set);
  }
  EXPECT_EQ(f->find_tensor("t2")->part, 2);
}

TEST(GgufBadInput, SplitSiblingsMissing) {
  const std::string dir = split_dir();
  const std::string first = make_split_path(dir + "/m", 1, 3);
  write_file(first, split_part(0, 3, 0, 3).data());
  auto f = GgufFile::open(first);
  EXPECT_TRUE(fails_with(f, {make_split_path(dir + "/m", 2, 3)}));
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  // split.count > 1 in a file not named like a split part.
  const std::string plain = dir + "/plain.gguf";
  write_file(plain, split_part(0, 3, 0, 3).data());
  EXPECT_TRUE(fails_with(GgufFile::open(plain), {plain, "split.count"}));
  // The file name says 2 parts, the metadata says 3.
  const std::string two = make_split_path(dir + "/m", 1, 2);
  write_file(two, split_part(0, 3, 0, 3).data());
  EXPECT_TRUE(fails_with(GgufFile::open(two), {"split.count is 3"}));
}

TEST(GgufBadInput, SplitWrongPartNumber) {
  const std::string dir = split_dir();
  write_file(make_split_path(dir + "/m", 1, 2), split_part(0, 2, 0, 2).data());
  write_file(make_split_path(dir + "/m", 2, 2), split_part(1, 2, 5, 2).data());
  EXPECT_TRUE(fails_with(GgufFile::open(make_split_path(dir + "/m", 1, 2)),
                         {make_split_path(dir + "/m", 2, 2), "split.no is 5", "expected 1"}));
}

TEST(GgufBadInput, SplitPartOpenedFirstIsNotPartOne) {
  const std::string dir = split_dir();
  write_file(make_split_path(dir + "/m", 1, 2), split_part(1, 2, 1, 2).data());
  EXPECT_TRUE(fails_with(GgufFile::open(make_split_path(dir + "/m", 1, 2)), {"open the first part"}));
}

TEST(GgufBadInput, SplitTensorCountMismatch) {
  const std::string dir = split_dir();
  write_file(make_split_path(dir + "/m", 1, 2), split_part(0, 2, 0, 7).data());
  write_file(make_split_path(dir + "/m", 2, 2), split_part(1, 2, 1, 7).data());
  EXPECT_TRUE(fails_with(GgufFile::open(make_split_path(dir + "/m", 1, 2)),
                         {"split.tensors.count says 7", "hold 2"}));
}

TEST(GgufBadInput, SplitSameTensorInTwoParts) {
  const std::string dir = split_dir();
  write_file(make_split_path(dir + "/m", 1, 2), split_part(0, 2, 0, 2).data());
  write_file(make_split_path(dir + "/m", 2, 2), split_part(0, 2, 1, 2).data());
  EXPECT_TRUE(fails_with(GgufFile::open(make_split_path(dir + "/m", 1, 2)), {"tensor 't0'", "more than one part"}));
}

TEST(GgufBadInput, SplitMetadataWrongTypes) {
  const std::string dir = split_dir();
  const std::string first = make_split_path(dir + "/m", 1, 2);
  Bytes count_str;
  count_str.header(0, 1).kv_str("split.count", "2");
  write_file(first, count_str.data());
  EXPECT_TRUE(fails_with(GgufFile::open(first), {"split.count"}));
  Bytes no_missing;
  no_missing.header(0, 1).kv_u16("split.count", 2);
  write_file(first, no_missing.data());
  EXPECT_TRUE(fails_with(GgufFile::open(first), {"split.no"}));
  Bytes huge;
  huge.header(0, 2).kv_u16("split.no", 0).str("split.count").u32(kTypeU64).u64(uint64_t{1} << 40);
  write_file(first, huge.data());
  EXPECT_TRUE(fails_with(GgufFile::open(first), {"split.count"}));
}

// --- Real files, damaged -------------------------------------------------------

// Overwrites bytes of an existing file in place: damaging a 1 MB model a few
// bytes at a time is far cheaper than rewriting it on every iteration.
void patch_file(const std::string& path, size_t pos, std::string_view bytes) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(static_cast<std::streamoff>(pos));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

TEST(GgufBadInput, ConformanceMetadataSurvivesTheWriter) {
  ZHI_REQUIRE_CONFORMANCE();
  // Real metadata (vocab, merges, template) with one tiny tensor per file
  // type: the writer must reproduce every value byte for byte. The result is
  // also the richest small seed the fuzzer gets.
  auto src = GgufFile::open(testing::conformance_dir() + "/models/conf-q4_k_m.gguf");
  ASSERT_TRUE(src.ok()) << src.status().to_string();
  GgufWriter w;
  for (const auto& [key, v] : src->metadata()) w.set(key, v);
  for (uint32_t id = 0; id < 40; ++id) {
    const TypeInfo* info = find_type_info(id);
    if (info == nullptr || !info->in_files) continue;
    ASSERT_TRUE(w.add_tensor(std::string("t.") + info->name, info->type, {info->block_elems, 2},
                             [](uint8_t* d, uint64_t n) {
                               for (uint64_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>(i);
                               return Status();
                             }).ok());
  }
  const std::string path = test_path();
  ASSERT_TRUE(w.write(path).ok());
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->metadata().size(), src->metadata().size());
  for (size_t i = 0; i < f->metadata().size(); ++i) {
    EXPECT_EQ(f->metadata()[i].first, src->metadata()[i].first);
    EXPECT_EQ(f->metadata()[i].second.raw(), src->metadata()[i].second.raw()) << f->metadata()[i].first;
  }
  EXPECT_EQ(f->tensors().size(), 15u);
  touch_everything(f.value());
  if (const char* d = seed_dir()) write_file(std::string(d) + "/conformance-metadata-tiny-tensors.gguf", read_whole(path));
}

TEST(GgufBadInput, TruncatedConformanceFiles) {
  ZHI_REQUIRE_CONFORMANCE();
  const std::string src = testing::conformance_dir() + "/models/conf-q4_0.gguf";
  const std::string full = read_whole(src);
  ASSERT_TRUE(GgufFile::open_single(src).ok());
  std::vector<size_t> cuts;
  // Every byte of the first 4 KiB, a stride through the rest of the header and
  // the data, and every byte of the last 64 (data end and trailing padding).
  for (size_t n = 0; n < full.size(); n += n < 4096 ? 1 : (n < 40000 ? 61 : 32771)) cuts.push_back(n);
  for (size_t n = full.size() - 64; n < full.size(); ++n) cuts.push_back(n);
  std::sort(cuts.rbegin(), cuts.rend());
  const std::string path = test_path();
  write_file(path, full);
  for (size_t n : cuts) {
    std::filesystem::resize_file(path, n);  // descending, so each cut shortens the last
    auto f = GgufFile::open(path);
    // Only a cut inside the trailing padding (under one 32-byte alignment) may still parse.
    if (f.ok()) {
      EXPECT_LT(full.size() - n, 32u) << "prefix of " << n << " bytes parsed";
    } else {
      EXPECT_NE(f.status().message().find(path), std::string::npos) << f.status().to_string();
    }
  }
  EXPECT_GT(cuts.size(), 4096u);
  std::filesystem::remove(path);
}

TEST(GgufBadInput, BitFlippedConformanceFiles) {
  ZHI_REQUIRE_CONFORMANCE();
  const std::string models = testing::conformance_dir() + "/models/";
  std::mt19937_64 rng(20240601);
  int parsed = 0, refused = 0;
  for (const char* name : {"conf-q4_k_m.gguf", "conf-split-q4_k_m-00002-of-00003.gguf", "conf-iq4_xs.gguf"}) {
    const std::string original = read_whole(models + name);
    ASSERT_FALSE(original.empty()) << name;
    const std::string path = test_path();
    write_file(path, original);
    // The header (metadata + tensor infos) is the first ~30 KB; flips beyond
    // it only change weights, so most land inside it.
    const size_t header = std::min<size_t>(original.size(), 30400);
    for (int iter = 0; iter < 1000; ++iter) {
      std::vector<size_t> flipped;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) {
        const size_t limit = rng() % 8 == 0 ? original.size() : header;
        // Bias toward the fixed header and the first entries, where counts live.
        const size_t pos = rng() % 3 == 0 ? rng() % std::min<size_t>(limit, 256) : rng() % limit;
        const char c = static_cast<char>(original[pos] ^ (1u << (rng() % 8)));
        patch_file(path, pos, std::string_view(&c, 1));
        flipped.push_back(pos);
      }
      {
        auto f = GgufFile::open(path);
        if (f.ok()) {
          touch_everything(f.value());
          ++parsed;
        } else {
          EXPECT_NE(f.status().message().find(path), std::string::npos) << f.status().to_string();
          ++refused;
        }
      }
      for (size_t pos : flipped) patch_file(path, pos, std::string_view(&original[pos], 1));
    }
    std::filesystem::remove(path);
  }
  // Both outcomes must actually be exercised.
  EXPECT_GT(parsed, 100);
  EXPECT_GT(refused, 100);
}

TEST(GgufBadInput, OverwrittenFieldsInConformanceFile) {
  ZHI_REQUIRE_CONFORMANCE();
  // Smash each 8-byte window of a whole header with extreme values: lengths
  // and counts become huge, zero, or wrap around.
  const std::string original =
      read_whole(testing::conformance_dir() + "/models/conf-split-q4_k_m-00003-of-00003.gguf");
  ASSERT_GT(original.size(), 300u);
  const std::string path = test_path();
  write_file(path, original);
  int refused = 0;
  for (size_t pos = 0; pos + 8 <= 224; ++pos) {
    for (uint64_t v : {uint64_t{0}, std::numeric_limits<uint64_t>::max(), uint64_t{1} << 63, uint64_t{0x7fffffff}}) {
      char buf[8];
      std::memcpy(buf, &v, 8);
      patch_file(path, pos, std::string_view(buf, 8));
      {
        auto f = GgufFile::open_single(path);
        if (f.ok()) touch_everything(f.value());
        else ++refused;
      }
      patch_file(path, pos, std::string_view(original).substr(pos, 8));
    }
  }
  EXPECT_GT(refused, 0);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace zhi
