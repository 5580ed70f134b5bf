// libFuzzer target for the GGUF reader (see fuzz/README.md; run scripts/fuzz.sh).
//
// The input is one GGUF file, or several: every later occurrence of the magic
// "GGUF" starts a new part, and the parts are written as a split set
// (fuzz-0000k-of-0000n.gguf) so that split following is fuzzed too. The
// reader only opens paths (it mmaps), so parts go to a per-process directory,
// on tmpfs when there is one.
//
// For whatever parses, every metadata value is read through every accessor and
// every tensor byte is summed, so ASan reports any view outside the mapping.
// Then the file is rewritten with GgufWriter and read back: anything the
// reader accepts must survive a round trip unchanged, or the target traps.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"

namespace zhi {
namespace {

constexpr size_t kMaxParts = 4;
constexpr std::string_view kMagic = "GGUF";

// Leaked on purpose: the atexit cleanup runs after static destructors.
const std::string& work_dir() {
  static const std::string* dir = [] {
    std::error_code ec;
    std::filesystem::path base = "/dev/shm";
    if (!std::filesystem::is_directory(base, ec)) base = std::filesystem::temp_directory_path();
    auto d = base / ("zhi-gguf-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return new std::string(d.string());
  }();
  static const bool cleanup_registered = [] {
    return std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(*dir, ignored);
    }) == 0;
  }();
  (void)cleanup_registered;
  return *dir;
}

void write_file(const std::string& path, const uint8_t* data, size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) __builtin_trap();  // the harness itself is broken: stop loudly
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) __builtin_trap();
    data += n;
    size -= static_cast<size_t>(n);
  }
  ::close(fd);
}

// Keeps the optimizer from dropping reads whose only purpose is to be checked by ASan.
volatile uint64_t g_sink = 0;

void touch_value(const GgufFile& f, const std::string& key, const GgufValue& v) {
  uint64_t sum = key.size() + v.describe().size() + v.describe(1000000).size();
  if (auto i = v.as_int(); i.ok()) sum += static_cast<uint64_t>(i.value());
  if (auto x = v.as_float(); x.ok()) sum += x.value() > 0.0;
  if (auto b = v.as_bool(); b.ok()) sum += b.value();
  if (auto s = v.as_string(); s.ok())
    for (char c : s.value()) sum += static_cast<unsigned char>(c);
  if (auto a = v.as_string_array(); a.ok())
    for (std::string_view s : a.value())
      for (char c : s) sum += static_cast<unsigned char>(c);
  if (auto a = v.as_int_array(); a.ok())
    for (int64_t x : a.value()) sum += static_cast<uint64_t>(x);
  if (auto a = v.as_float_array(); a.ok())
    for (float x : a.value()) sum += x > 0.0f;
  if (v.type() == GgufValueType::kArray) sum += v.array_size() + static_cast<uint32_t>(v.array_type());
  // The file-level getters must agree with the value's own accessors.
  if (f.get_int(key).ok() != v.as_int().ok()) __builtin_trap();
  if (f.get_string(key).ok() != v.as_string().ok()) __builtin_trap();
  sum += f.get_float(key).ok() + f.get_bool(key).ok() + f.get_string_array(key).ok() +
         f.get_int_array(key).ok();
  if (f.find(key) != &v || !f.has(key)) __builtin_trap();
  g_sink = g_sink + sum;
}

void touch(const GgufFile& f) {
  for (const auto& [key, v] : f.metadata()) touch_value(f, key, v);
  uint64_t sum = f.total_file_bytes() + f.alignment() + f.version();
  for (const auto& t : f.tensors()) {
    auto found = f.require_tensor(t.name);
    if (f.find_tensor(t.name) != &t || !found.ok() || found.value() != &t) __builtin_trap();
    sum += static_cast<uint64_t>(t.rows()) + t.shape_string().size();
    for (uint64_t i = 0; i < t.n_bytes; ++i) sum += t.data[i];
  }
  g_sink = g_sink + sum;
}

// Rewrites `f` with the writer and reads it back: metadata bytes and tensor
// bytes must be identical.
void round_trip(const GgufFile& f, const std::string& dir) {
  GgufWriter w;
  for (const auto& [key, v] : f.metadata()) w.set(key, v);
  for (const auto& t : f.tensors()) {
    const GgufTensor* src = &t;
    Status s = w.add_tensor(t.name, t.type, t.dims, [src](uint8_t* dst, uint64_t n) {
      if (n != src->n_bytes) return internal_error("size changed");
      std::memcpy(dst, src->data, n);
      return Status();
    });
    if (!s.ok()) __builtin_trap();  // the reader accepted a tensor the writer refuses
  }
  const std::string path = dir + "/roundtrip.gguf";
  if (!w.write(path).ok()) __builtin_trap();
  // open_single: split.* keys are copied verbatim, but this is one whole file.
  auto g = GgufFile::open_single(path);
  if (!g.ok()) __builtin_trap();
  if (g->metadata().size() != f.metadata().size() || g->tensors().size() != f.tensors().size())
    __builtin_trap();
  for (size_t i = 0; i < f.metadata().size(); ++i) {
    const auto& [k1, v1] = f.metadata()[i];
    const auto& [k2, v2] = g->metadata()[i];
    if (k1 != k2 || v1.type() != v2.type() || v1.raw() != v2.raw()) __builtin_trap();
  }
  for (const auto& t : f.tensors()) {
    const GgufTensor* u = g->find_tensor(t.name);
    if (u == nullptr || u->type != t.type || u->dims != t.dims || u->n_bytes != t.n_bytes ||
        std::memcmp(u->data, t.data, t.n_bytes) != 0)
      __builtin_trap();
  }
  std::filesystem::remove(path);
}

// Part files written by the previous input; removed so none leaks into the next.
std::vector<std::string> g_written;

}  // namespace
}  // namespace zhi

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zhi;
  const std::string& dir = work_dir();
  for (const auto& p : g_written) ::unlink(p.c_str());
  g_written.clear();

  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<size_t> starts = {0};
  for (size_t p = in.find(kMagic, 1); p != std::string_view::npos && starts.size() < kMaxParts;
       p = in.find(kMagic, p + 1))
    starts.push_back(p);
  const size_t n = starts.size();
  for (size_t k = 0; k < n; ++k) {
    const size_t end = k + 1 < n ? starts[k + 1] : size;
    g_written.push_back(n == 1 ? dir + "/fuzz.gguf"
                               : make_split_path(dir + "/fuzz", static_cast<int>(k + 1), static_cast<int>(n)));
    write_file(g_written.back(), data + starts[k], end - starts[k]);
  }

  // Each part on its own, then the set as a whole (which follows split.count).
  for (const auto& p : g_written) {
    auto f = GgufFile::open_single(p);
    if (f.ok()) touch(f.value());
    else if (f.status().message().empty()) __builtin_trap();
  }
  auto f = GgufFile::open(g_written.front());
  if (!f.ok()) {
    if (f.status().message().empty()) __builtin_trap();
    return 0;
  }
  touch(f.value());
  round_trip(f.value(), dir);
  return 0;
}
