#include "gguf/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>

namespace zhi {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

class Out {
 public:
  Out(std::FILE* f, const std::string& path) : f_(f), path_(path) {}
  Status bytes(const void* p, size_t n) {
    if (n != 0 && std::fwrite(p, 1, n, f_) != n)
      return io_error(path_ + ": write failed: " + std::strerror(errno));
    pos_ += n;
    return {};
  }
  template <typename T>
  Status pod(T v) {
    return bytes(&v, sizeof(T));
  }
  Status str(const std::string& s) {
    ZHI_RETURN_IF_ERROR(pod<uint64_t>(s.size()));
    return bytes(s.data(), s.size());
  }
  Status pad_to(uint64_t alignment) {
    static const char zeros[64] = {};
    while (pos_ % alignment != 0) {
      const uint64_t n = std::min<uint64_t>(sizeof(zeros), alignment - pos_ % alignment);
      ZHI_RETURN_IF_ERROR(bytes(zeros, n));
    }
    return {};
  }
  uint64_t pos() const { return pos_; }

 private:
  std::FILE* f_;
  std::string path_;
  uint64_t pos_ = 0;
};

constexpr std::string_view kAlignmentKey = "general.alignment";
constexpr uint32_t kDefaultAlignment = 32;
constexpr int64_t kMaxAlignment = 1 << 20;  // the reader's limit
constexpr size_t kMaxNameBytes = 65535;     // the reader's limit on keys and tensor names

// The reader derives the data section's start from general.alignment, so the
// writer must pad with exactly that value: one the reader would reject is an
// error at write time, not a silently different padding.
Result<uint32_t> alignment_of(const GgufValue& value) {
  auto a = value.as_int();
  if (!a.ok()) return a.status().with_context(std::string(kAlignmentKey));
  if (a.value() <= 0 || a.value() > kMaxAlignment || (a.value() & (a.value() - 1)) != 0)
    return invalid_argument(std::string(kAlignmentKey) + ": " + std::to_string(a.value()) +
                            " is not a power of two in [1, 1 MiB]");
  return static_cast<uint32_t>(a.value());
}

}  // namespace

void GgufWriter::set(const std::string& key, GgufValue value) {
  if (key == kAlignmentKey) {
    auto a = alignment_of(value);
    alignment_ = a.ok() ? a.value() : kDefaultAlignment;
  }
  for (auto& kv : kv_) {
    if (kv.first == key) {
      kv.second = std::move(value);
      return;
    }
  }
  kv_.emplace_back(key, std::move(value));
}

void GgufWriter::remove(const std::string& key) {
  if (key == kAlignmentKey) alignment_ = kDefaultAlignment;
  std::erase_if(kv_, [&](const auto& kv) { return kv.first == key; });
}

Status GgufWriter::add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> dims,
                              FillFn fill) {
  if (dims.empty() || dims.size() > 4)
    return invalid_argument("tensor '" + name + "': needs 1 to 4 dims");
  if (name.size() > kMaxNameBytes)
    return invalid_argument("tensor name of " + std::to_string(name.size()) + " bytes exceeds " +
                            std::to_string(kMaxNameBytes));
  // The reader rejects an empty dimension; row_size_bytes alone would accept dims[0] == 0.
  if (dims[0] <= 0) return invalid_argument("tensor '" + name + "': bad dims");
  for (const auto& t : tensors_) {
    if (t.name == name) return invalid_argument("tensor '" + name + "' added twice");
  }
  uint64_t rows = 1;
  for (size_t i = 1; i < dims.size(); ++i) {
    if (dims[i] <= 0 || __builtin_mul_overflow(rows, static_cast<uint64_t>(dims[i]), &rows))
      return invalid_argument("tensor '" + name + "': bad dims");
  }
  auto row = row_size_bytes(type, dims[0]);
  if (!row.ok()) return row.status().with_context("tensor '" + name + "'");
  uint64_t n_bytes = 0;
  if (__builtin_mul_overflow(row.value(), rows, &n_bytes))
    return invalid_argument("tensor '" + name + "': size overflows");
  tensors_.push_back({name, type, std::move(dims), n_bytes, std::move(fill)});
  return {};
}

Status GgufWriter::write(const std::string& path, const ProgressFn& progress) const {
  for (const auto& [key, value] : kv_) {
    if (key.size() > kMaxNameBytes)
      return invalid_argument("metadata key of " + std::to_string(key.size()) + " bytes exceeds " +
                              std::to_string(kMaxNameBytes));
    if (key == kAlignmentKey) ZHI_RETURN_IF_ERROR(alignment_of(value).status());
  }
  const std::string tmp = path + ".partial";
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(tmp.c_str(), "wb"));
  if (!f) return io_error(tmp + ": cannot create: " + std::strerror(errno));
  auto fail = [&](Status s) {
    f.reset();
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return s;
  };
  Out out(f.get(), tmp);
  auto header = [&]() -> Status {
    ZHI_RETURN_IF_ERROR(out.pod<uint32_t>(0x46554747));
    ZHI_RETURN_IF_ERROR(out.pod<uint32_t>(3));
    ZHI_RETURN_IF_ERROR(out.pod<uint64_t>(tensors_.size()));
    ZHI_RETURN_IF_ERROR(out.pod<uint64_t>(kv_.size()));
    for (const auto& [key, value] : kv_) {
      ZHI_RETURN_IF_ERROR(out.str(key));
      ZHI_RETURN_IF_ERROR(out.pod<uint32_t>(static_cast<uint32_t>(value.type())));
      ZHI_RETURN_IF_ERROR(out.bytes(value.raw().data(), value.raw().size()));
    }
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
      ZHI_RETURN_IF_ERROR(out.str(t.name));
      ZHI_RETURN_IF_ERROR(out.pod<uint32_t>(static_cast<uint32_t>(t.dims.size())));
      for (int64_t d : t.dims) ZHI_RETURN_IF_ERROR(out.pod<uint64_t>(static_cast<uint64_t>(d)));
      ZHI_RETURN_IF_ERROR(out.pod<uint32_t>(static_cast<uint32_t>(t.type)));
      ZHI_RETURN_IF_ERROR(out.pod<uint64_t>(offset));
      offset += (t.n_bytes + alignment_ - 1) / alignment_ * alignment_;
    }
    return out.pad_to(alignment_);
  };
  if (Status s = header(); !s.ok()) return fail(s);
  std::vector<uint8_t> buf;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const auto& t = tensors_[i];
    buf.assign(t.n_bytes, 0);
    if (Status s = t.fill(buf.data(), buf.size()); !s.ok())
      return fail(s.with_context("tensor '" + t.name + "'"));
    if (Status s = out.bytes(buf.data(), buf.size()); !s.ok()) return fail(s);
    if (Status s = out.pad_to(alignment_); !s.ok()) return fail(s);
    if (progress) progress(i + 1, tensors_.size());
  }
  if (std::fflush(f.get()) != 0) return fail(io_error(tmp + ": flush failed: " + std::strerror(errno)));
  f.reset();
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(io_error(path + ": cannot rename into place: " + ec.message()));
  return {};
}

}  // namespace zhi
