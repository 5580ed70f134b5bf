#include "gguf/gguf_reader.h"

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <limits>

namespace zhi {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
constexpr int kMaxArrayDepth = 3;        // real files use 1; bounds recursion on hostile ones
constexpr uint64_t kMaxKeyBytes = 65535;
// Real models hold tens of keys and at most a few thousand tensors. Each parsed
// entry costs ~5-10x its minimum on-disk size in memory, so without a cap a
// crafted multi-GB file could make the parser allocate tens of GB.
constexpr uint64_t kMaxKvCount = 1 << 20;
constexpr uint64_t kMaxTensorCount = 1 << 20;
// Counts are untrusted until their entries have parsed: reserve only this much up front.
constexpr uint64_t kMaxReserve = 4096;
// Metadata values are copied out of the mapping. The largest real ones (a 256k
// vocabulary and its merges) are a few MB; without a cap a crafted multi-GB
// array would be copied onto the heap whole.
constexpr uint64_t kMaxMetadataBytes = uint64_t{256} << 20;

// Bounds-checked sequential reads over the mapping.
class Cursor {
 public:
  Cursor(const uint8_t* data, uint64_t size) : data_(data), size_(size) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }
  const uint8_t* at(uint64_t p) const { return data_ + p; }

  template <typename T>
  Status read(T* out, const std::string& what) {
    if (remaining() < sizeof(T))
      return corrupt_file(what + ": file ends at byte " + std::to_string(size_) +
                          ", before this field");
    std::memcpy(out, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return {};
  }
  Status skip(uint64_t n, const std::string& what) {
    if (remaining() < n)
      return corrupt_file(what + ": needs " + std::to_string(n) + " bytes but only " +
                          std::to_string(remaining()) + " remain in the file");
    pos_ += n;
    return {};
  }
  Status read_string(std::string_view* out, const std::string& what, uint64_t max_len) {
    uint64_t len = 0;
    ZHI_RETURN_IF_ERROR(read(&len, what + " (length)"));
    if (len > remaining())
      return corrupt_file(what + ": string length " + std::to_string(len) + " exceeds the " +
                          std::to_string(remaining()) + " bytes left in the file");
    if (len > max_len)
      return corrupt_file(what + ": string length " + std::to_string(len) + " exceeds limit " +
                          std::to_string(max_len));
    *out = std::string_view(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    return {};
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

// Walks one value payload, checking every length, and leaves the cursor after it.
Status scan_value(Cursor& c, GgufValueType type, int depth, const std::string& what) {
  if (const uint32_t sz = gguf_scalar_size(type); sz != 0) return c.skip(sz, what);
  if (type == GgufValueType::kString) {
    std::string_view s;
    return c.read_string(&s, what, std::numeric_limits<uint64_t>::max());
  }
  // Array.
  if (depth >= kMaxArrayDepth) return corrupt_file(what + ": arrays nested too deeply");
  uint32_t et = 0;
  uint64_t n = 0;
  ZHI_RETURN_IF_ERROR(c.read(&et, what + " (array element type)"));
  if (!is_valid_gguf_value_type(et))
    return corrupt_file(what + ": unknown array element type " + std::to_string(et));
  ZHI_RETURN_IF_ERROR(c.read(&n, what + " (array length)"));
  const auto elem = static_cast<GgufValueType>(et);
  // Each element takes at least this many bytes: reject impossible counts up front.
  const uint64_t min_elem = elem == GgufValueType::kString  ? 8
                            : elem == GgufValueType::kArray ? 12
                                                            : gguf_scalar_size(elem);
  if (n > c.remaining() / min_elem)
    return corrupt_file(what + ": array length " + std::to_string(n) +
                        " cannot fit in the remaining " + std::to_string(c.remaining()) + " bytes");
  if (gguf_scalar_size(elem) != 0) return c.skip(n * min_elem, what);
  for (uint64_t i = 0; i < n; ++i) {
    ZHI_RETURN_IF_ERROR(scan_value(c, elem, depth + 1, what));
  }
  return {};
}

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) {
  return __builtin_mul_overflow(a, b, out);
}

}  // namespace

std::string GgufTensor::shape_string() const {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

Status GgufFile::parse(std::shared_ptr<MappedFile> file, int part) {
  Cursor c(file->data(), file->size());
  uint32_t magic = 0;
  ZHI_RETURN_IF_ERROR(c.read(&magic, "magic"));
  if (magic != kMagic) return corrupt_file("bad magic: not a GGUF file");
  ZHI_RETURN_IF_ERROR(c.read(&version_, "version"));
  if (version_ != 2 && version_ != 3)
    return unsupported("GGUF version " + std::to_string(version_) + " (supported: 2, 3)");
  uint64_t n_tensors = 0, n_kv = 0;
  ZHI_RETURN_IF_ERROR(c.read(&n_tensors, "tensor_count"));
  ZHI_RETURN_IF_ERROR(c.read(&n_kv, "kv_count"));
  // Smallest kv: 8-byte key length + 4-byte type + 1-byte value. Smallest tensor
  // info: 8 + 4 + 8 + 4 + 8 bytes.
  if (n_kv > c.remaining() / 13)
    return corrupt_file("kv_count " + std::to_string(n_kv) + " is larger than the file can hold");
  if (n_tensors > c.remaining() / 32)
    return corrupt_file("tensor_count " + std::to_string(n_tensors) +
                        " is larger than the file can hold");
  if (n_kv > kMaxKvCount)
    return corrupt_file("kv_count " + std::to_string(n_kv) + " exceeds the limit of " +
                        std::to_string(kMaxKvCount));
  if (n_tensors > kMaxTensorCount)
    return corrupt_file("tensor_count " + std::to_string(n_tensors) + " exceeds the limit of " +
                        std::to_string(kMaxTensorCount));

  kv_.reserve(std::min(n_kv, kMaxReserve));
  uint64_t metadata_bytes = 0;
  for (uint64_t i = 0; i < n_kv; ++i) {
    const std::string where = "metadata entry " + std::to_string(i);
    std::string_view key;
    ZHI_RETURN_IF_ERROR(c.read_string(&key, where + " key", kMaxKeyBytes));
    const std::string kwhere = "metadata key '" + std::string(key) + "'";
    uint32_t t = 0;
    ZHI_RETURN_IF_ERROR(c.read(&t, kwhere + " type"));
    if (!is_valid_gguf_value_type(t))
      return corrupt_file(kwhere + ": unknown value type " + std::to_string(t));
    const uint64_t start = c.pos();
    ZHI_RETURN_IF_ERROR(scan_value(c, static_cast<GgufValueType>(t), 0, kwhere));
    metadata_bytes += c.pos() - start;
    if (metadata_bytes > kMaxMetadataBytes)
      return corrupt_file(kwhere + ": metadata values total more than " +
                          std::to_string(kMaxMetadataBytes >> 20) + " MiB");
    std::string k(key);
    if (kv_index_.count(k)) return corrupt_file(kwhere + ": appears twice");
    kv_index_[k] = kv_.size();
    kv_.emplace_back(std::move(k),
                     GgufValue(static_cast<GgufValueType>(t),
                               std::string(reinterpret_cast<const char*>(c.at(start)), c.pos() - start)));
  }

  if (const GgufValue* a = find("general.alignment")) {
    auto v = a->as_int();
    if (!v.ok()) return corrupt_file("metadata key 'general.alignment': " + v.status().message());
    if (v.value() <= 0 || v.value() > (1 << 20) || (v.value() & (v.value() - 1)) != 0)
      return corrupt_file("metadata key 'general.alignment': " + std::to_string(v.value()) +
                          " is not a power of two in [1, 1 MiB]");
    alignment_ = static_cast<uint32_t>(v.value());
  }

  std::vector<GgufTensor> infos;
  infos.reserve(std::min(n_tensors, kMaxReserve));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensor t;
    std::string_view name;
    ZHI_RETURN_IF_ERROR(c.read_string(&name, "tensor " + std::to_string(i) + " name", kMaxKeyBytes));
    t.name = std::string(name);
    t.part = part;
    const std::string tw = "tensor '" + t.name + "'";
    uint32_t n_dims = 0;
    ZHI_RETURN_IF_ERROR(c.read(&n_dims, tw + " n_dims"));
    if (n_dims == 0 || n_dims > kGgufMaxDims)
      return corrupt_file(tw + ": n_dims " + std::to_string(n_dims) + " is not in 1.." +
                          std::to_string(kGgufMaxDims));
    uint64_t n_elem = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      uint64_t dim = 0;
      ZHI_RETURN_IF_ERROR(c.read(&dim, tw + " dims[" + std::to_string(d) + "]"));
      if (dim == 0 || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return corrupt_file(tw + ": dims[" + std::to_string(d) + "] = " + std::to_string(dim) +
                            " is out of range");
      if (mul_overflows(n_elem, dim, &n_elem) ||
          n_elem > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return corrupt_file(tw + ": element count overflows (dims product too large)");
      t.dims.push_back(static_cast<int64_t>(dim));
    }
    t.n_elements = static_cast<int64_t>(n_elem);
    uint32_t type_id = 0;
    ZHI_RETURN_IF_ERROR(c.read(&type_id, tw + " type"));
    const TypeInfo* info = find_type_info(type_id);
    if (info == nullptr || !info->in_files)
      return unsupported(tw + ": unknown or unsupported ggml type id " + std::to_string(type_id));
    t.type = info->type;
    if (t.dims[0] % info->block_elems != 0)
      return corrupt_file(tw + ": row length " + std::to_string(t.dims[0]) +
                          " is not a multiple of the " + info->name + " block size " +
                          std::to_string(info->block_elems));
    uint64_t bytes = 0;
    if (mul_overflows(n_elem / info->block_elems, static_cast<uint64_t>(info->block_bytes), &bytes))
      return corrupt_file(tw + ": byte size overflows");
    t.n_bytes = bytes;
    ZHI_RETURN_IF_ERROR(c.read(&t.offset, tw + " offset"));
    if (t.offset % alignment_ != 0)
      return corrupt_file(tw + ": offset " + std::to_string(t.offset) + " is not aligned to " +
                          std::to_string(alignment_));
    infos.push_back(std::move(t));
  }

  // Data section starts at the next multiple of the alignment.
  const uint64_t header_end = c.pos();
  const uint64_t data_start = (header_end + alignment_ - 1) / alignment_ * alignment_;
  if (data_start > file->size() && n_tensors > 0)
    return corrupt_file("data section starts past the end of the file");
  const uint64_t data_size = data_start <= file->size() ? file->size() - data_start : 0;
  for (auto& t : infos) {
    const std::string tw = "tensor '" + t.name + "'";
    if (t.offset > data_size || t.n_bytes > data_size - t.offset)
      return corrupt_file(tw + ": data [" + std::to_string(t.offset) + ", +" +
                          std::to_string(t.n_bytes) + ") lies outside the file's " +
                          std::to_string(data_size) + "-byte data section (truncated file?)");
    t.data = file->data() + data_start + t.offset;
    if (tensor_index_.count(t.name)) return corrupt_file(tw + ": appears twice");
    tensor_index_[t.name] = tensors_.size();
    tensors_.push_back(std::move(t));
  }
  parts_.push_back(std::move(file));
  return {};
}

Result<GgufFile> GgufFile::open_single(const std::string& path) {
  ZHI_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  GgufFile g;
  g.path_ = path;
  Status s = g.parse(std::move(file), 0);
  if (!s.ok()) return s.with_context(path);
  return g;
}

Status GgufFile::merge_part(GgufFile&& other) {
  const int part = static_cast<int>(parts_.size());
  for (auto& t : other.tensors_) {
    if (tensor_index_.count(t.name))
      return corrupt_file("tensor '" + t.name + "' appears in more than one part");
    t.part = part;
    tensor_index_[t.name] = tensors_.size();
    tensors_.push_back(std::move(t));
  }
  for (auto& p : other.parts_) parts_.push_back(std::move(p));
  return {};
}

Result<GgufFile> GgufFile::open(const std::string& path) {
  ZHI_ASSIGN_OR_RETURN(GgufFile first, open_single(path));
  const GgufValue* count_v = first.find("split.count");
  if (count_v == nullptr) return first;
  auto count = count_v->as_int();
  if (!count.ok()) return count.status().with_context(path + ": metadata key 'split.count'");
  if (count.value() <= 1) return first;
  if (count.value() > 9999) return corrupt_file(path + ": split.count " + std::to_string(count.value()) + " is too large");
  auto no = first.get_int("split.no");
  if (!no.ok()) return no.status().with_context(path);
  if (no.value() != 0)
    return invalid_argument(path + ": this is part " + std::to_string(no.value() + 1) + " of " +
                            std::to_string(count.value()) + "; open the first part (-00001-of-...)");
  std::string prefix;
  int index = 0, n = 0;
  if (!parse_split_path(path, &prefix, &index, &n) || n != count.value())
    return invalid_argument(path + ": split.count is " + std::to_string(count.value()) +
                            " but the file name is not NAME-00001-of-" +
                            std::to_string(count.value()) + ".gguf shaped");
  for (int k = 2; k <= n; ++k) {
    const std::string part_path = make_split_path(prefix, k, n);
    ZHI_ASSIGN_OR_RETURN(GgufFile part, open_single(part_path));
    auto pno = part.get_int("split.no");
    if (!pno.ok()) return pno.status().with_context(part_path);
    if (pno.value() != k - 1)
      return corrupt_file(part_path + ": split.no is " + std::to_string(pno.value()) +
                          ", expected " + std::to_string(k - 1));
    Status s = first.merge_part(std::move(part));
    if (!s.ok()) return s.with_context(part_path);
  }
  if (const GgufValue* tc = first.find("split.tensors.count")) {
    auto v = tc->as_int();
    if (!v.ok()) return v.status().with_context(path + ": metadata key 'split.tensors.count'");
    if (v.value() != static_cast<int64_t>(first.tensors_.size()))
      return corrupt_file(path + ": split.tensors.count says " + std::to_string(v.value()) +
                          " tensors but the parts hold " + std::to_string(first.tensors_.size()));
  }
  return first;
}

uint64_t GgufFile::total_file_bytes() const {
  uint64_t n = 0;
  for (const auto& p : parts_) n += p->size();
  return n;
}

bool GgufFile::has(std::string_view key) const { return find(key) != nullptr; }

const GgufValue* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(std::string(key));
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

namespace {
template <typename T, typename F>
Result<T> get_typed(const GgufFile& f, std::string_view key, F&& fn) {
  const GgufValue* v = f.find(key);
  if (v == nullptr) return not_found("metadata key '" + std::string(key) + "' is missing");
  auto r = fn(*v);
  if (!r.ok()) return Status(r.status().code(), "metadata key '" + std::string(key) + "': " + r.status().message());
  return T(std::move(r).value());
}
}  // namespace

Result<int64_t> GgufFile::get_int(std::string_view key) const {
  return get_typed<int64_t>(*this, key, [](const GgufValue& v) { return v.as_int(); });
}
Result<double> GgufFile::get_float(std::string_view key) const {
  return get_typed<double>(*this, key, [](const GgufValue& v) { return v.as_float(); });
}
Result<bool> GgufFile::get_bool(std::string_view key) const {
  return get_typed<bool>(*this, key, [](const GgufValue& v) { return v.as_bool(); });
}
Result<std::string> GgufFile::get_string(std::string_view key) const {
  return get_typed<std::string>(*this, key, [](const GgufValue& v) { return v.as_string(); });
}
Result<std::vector<std::string_view>> GgufFile::get_string_array(std::string_view key) const {
  return get_typed<std::vector<std::string_view>>(*this, key,
                                                  [](const GgufValue& v) { return v.as_string_array(); });
}
Result<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
  return get_typed<std::vector<int64_t>>(*this, key, [](const GgufValue& v) { return v.as_int_array(); });
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

Result<const GgufTensor*> GgufFile::require_tensor(std::string_view name) const {
  const GgufTensor* t = find_tensor(name);
  if (t == nullptr) return not_found(path_ + ": tensor '" + std::string(name) + "' is missing");
  return t;
}

bool parse_split_path(const std::string& path, std::string* prefix, int* index, int* count) {
  // ...-00001-of-00003.gguf : the suffix is exactly 20 characters.
  constexpr size_t kSuffix = 20;
  if (path.size() <= kSuffix) return false;
  const std::string tail = path.substr(path.size() - kSuffix);
  int a = 0, b = 0;
  char ext[8] = {};
  if (std::sscanf(tail.c_str(), "-%5d-of-%5d.%4s", &a, &b, ext) != 3) return false;
  if (std::string(ext) != "gguf" || a < 1 || b < 1 || a > b) return false;
  *prefix = path.substr(0, path.size() - kSuffix);
  *index = a;
  *count = b;
  return true;
}

std::string make_split_path(const std::string& prefix, int index, int count) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "-%05d-of-%05d.gguf", index, count);
  return prefix + buf;
}

}  // namespace zhi
