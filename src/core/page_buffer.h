// Large anonymous buffers for data built at load (repacked weights), and a
// way to hand a read-only file mapping's pages back to the OS.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zhi {

// A page-aligned anonymous mapping, asked for transparent huge pages: a
// decode kernel streams hundreds of MB through it per token, and 2 MB pages
// spare it a TLB miss every 4 KB.
class PageBuffer {
 public:
  PageBuffer() = default;
  // An empty buffer (data() == nullptr) when the OS refuses the memory.
  static PageBuffer allocate(size_t bytes);
  ~PageBuffer();
  PageBuffer(PageBuffer&& other) noexcept;
  PageBuffer& operator=(PageBuffer&& other) noexcept;
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void release();
  uint8_t* base_ = nullptr;  // the mapping, which data_ rounds up to 2 MB
  size_t mapped_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Tells the OS the whole pages inside [p, p + n) of a read-only file mapping
// are not needed now: they leave this process's resident set, and a later
// read faults them back in from the file unchanged. A hint; failures are
// ignored.
void release_file_pages(const void* p, size_t n);

}  // namespace zhi
