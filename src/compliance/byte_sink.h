// A growable byte buffer that the scanner's fast paths write into in
// place: tail(n) hands out room for n more bytes and commit(k) keeps the
// first k of them. With std::string each 64-byte block or batch of folded
// text went through append(), a libc memmove call apiece, which was 7% of
// a scan with regex terms.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace zhi::compliance {

class ByteSink {
 public:
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char operator[](size_t i) const { return data_[i]; }
  void clear() { size_ = 0; }

  void reserve(size_t n) {
    if (n > cap_) grow_to(n);
  }
  // Room for n bytes past size(), valid until the next call that grows.
  char* tail(size_t n) {
    if (n > cap_ - size_) grow_to(size_ + n);
    return data_.get() + size_;
  }
  // Keeps k (at most the n last asked for) of the bytes written at tail().
  void commit(size_t k) { size_ += k; }

  void push_back(char c) { *tail(1) = c, ++size_; }
  void append(const char* p, size_t n) {
    if (n == 0) return;
    std::memcpy(tail(n), p, n);
    size_ += n;
  }

 private:
  void grow_to(size_t n) {
    const size_t cap = n > 2 * cap_ ? n : 2 * cap_;
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    cap_ = cap;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0, cap_ = 0;
};

}  // namespace zhi::compliance
