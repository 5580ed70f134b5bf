#include "core/page_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <utility>

namespace zhi {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t page_size() {
  const long p = ::sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<size_t>(p) : 4096;
}

}  // namespace

PageBuffer PageBuffer::allocate(size_t bytes) {
  PageBuffer b;
  if (bytes == 0 || bytes > (size_t{1} << 46)) return b;
  // One huge page of slack lets data_ start on a 2 MB boundary, where the
  // kernel can back it with whole huge pages.
  const size_t mapped = (bytes + kHugePage - 1) / kHugePage * kHugePage + kHugePage;
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return b;
  b.base_ = static_cast<uint8_t*>(p);
  b.mapped_ = mapped;
  const uintptr_t aligned =
      (reinterpret_cast<uintptr_t>(p) + kHugePage - 1) / kHugePage * kHugePage;
  b.data_ = reinterpret_cast<uint8_t*>(aligned);
  b.size_ = bytes;
#ifdef MADV_HUGEPAGE
  (void)::madvise(b.data_, (bytes + kHugePage - 1) / kHugePage * kHugePage, MADV_HUGEPAGE);
#endif
  return b;
}

PageBuffer::~PageBuffer() { release(); }

PageBuffer::PageBuffer(PageBuffer&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      mapped_(std::exchange(other.mapped_, 0)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

PageBuffer& PageBuffer::operator=(PageBuffer&& other) noexcept {
  if (this != &other) {
    release();
    base_ = std::exchange(other.base_, nullptr);
    mapped_ = std::exchange(other.mapped_, 0);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void PageBuffer::release() {
  if (base_ != nullptr) ::munmap(base_, mapped_);
  base_ = data_ = nullptr;
  mapped_ = size_ = 0;
}

void release_file_pages(const void* p, size_t n) {
  const size_t page = page_size();
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) / page * page;
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace zhi
