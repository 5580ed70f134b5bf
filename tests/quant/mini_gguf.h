// Test-only GGUF tensor finder. quant/ sits below gguf/, so its tests cannot
// link the real reader; this reads just enough (header, tensor table) to hand
// the quant tests a tensor's type, dims and bytes. Not validated: test inputs
// are the trusted conformance files.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zhi::testing {

struct MiniTensor {
  std::string name;
  uint32_t type = 0;
  std::vector<int64_t> dims;
  const uint8_t* data = nullptr;
};

class MiniGguf {
 public:
  // Empty optional when the file is missing or not GGUF v2/v3.
  static std::optional<MiniGguf> open(const std::string& path) {
    MiniGguf g;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    g.bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!g.parse()) return std::nullopt;
    return g;
  }

  const std::vector<MiniTensor>& tensors() const { return tensors_; }
  const MiniTensor* find(const std::string& name) const {
    for (const auto& t : tensors_) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
  // Integer metadata (u8..i64 scalar types); nullopt if absent or not an integer.
  std::optional<int64_t> int_value(const std::string& key) const {
    auto it = ints_.find(key);
    if (it == ints_.end()) return std::nullopt;
    return it->second;
  }

 private:
  MiniGguf() = default;

  template <typename T>
  bool read(T* v) {
    if (pos_ + sizeof(T) > bytes_.size()) return false;
    std::memcpy(v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool read_string(std::string* s) {
    uint64_t len;
    if (!read(&len) || pos_ + len > bytes_.size()) return false;
    s->assign(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
    pos_ += len;
    return true;
  }
  static size_t scalar_size(uint32_t type) {
    switch (type) {
      case 0: case 1: case 7: return 1;
      case 2: case 3: return 2;
      case 4: case 5: case 6: return 4;
      case 10: case 11: case 12: return 8;
      default: return 0;
    }
  }
  bool skip_value(uint32_t type, const std::string& key) {
    if (type == 8) {
      std::string s;
      return read_string(&s);
    }
    if (type == 9) {
      uint32_t elem;
      uint64_t count;
      if (!read(&elem) || !read(&count)) return false;
      for (uint64_t i = 0; i < count; ++i) {
        if (!skip_value(elem, "")) return false;
      }
      return true;
    }
    const size_t size = scalar_size(type);
    if (size == 0 || pos_ + size > bytes_.size()) return false;
    if (!key.empty() && type != 6 && type != 12 && type != 7) {
      uint64_t raw = 0;
      std::memcpy(&raw, bytes_.data() + pos_, size);
      int64_t v = static_cast<int64_t>(raw);
      const bool is_signed = type == 1 || type == 3 || type == 5 || type == 11;
      if (is_signed && size < 8 && (raw >> (8 * size - 1)) & 1) v -= static_cast<int64_t>(1) << (8 * size);
      ints_[key] = v;
    }
    pos_ += size;
    return true;
  }
  bool parse() {
    uint32_t magic, version;
    uint64_t n_tensors, n_kv;
    if (!read(&magic) || magic != 0x46554747u || !read(&version) || version < 2 || version > 3) return false;
    if (!read(&n_tensors) || !read(&n_kv)) return false;
    for (uint64_t i = 0; i < n_kv; ++i) {
      std::string key;
      uint32_t type;
      if (!read_string(&key) || !read(&type) || !skip_value(type, key)) return false;
    }
    std::vector<uint64_t> offsets;
    for (uint64_t i = 0; i < n_tensors; ++i) {
      MiniTensor t;
      uint32_t n_dims;
      if (!read_string(&t.name) || !read(&n_dims) || n_dims > 4) return false;
      for (uint32_t d = 0; d < n_dims; ++d) {
        uint64_t v;
        if (!read(&v)) return false;
        t.dims.push_back(static_cast<int64_t>(v));
      }
      uint64_t offset;
      if (!read(&t.type) || !read(&offset)) return false;
      offsets.push_back(offset);
      tensors_.push_back(std::move(t));
    }
    const uint64_t align = static_cast<uint64_t>(int_value("general.alignment").value_or(32));
    const uint64_t data_start = (pos_ + align - 1) / align * align;
    for (size_t i = 0; i < tensors_.size(); ++i) {
      if (data_start + offsets[i] > bytes_.size()) return false;
      tensors_[i].data = bytes_.data() + data_start + offsets[i];
    }
    return true;
  }

  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
  std::vector<MiniTensor> tensors_;
  std::map<std::string, int64_t> ints_;
};

}  // namespace zhi::testing
