#include "session/prompt_cache_file.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "session/prefix_cache.h"

namespace zhi {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'Z', 'H', 'I', 'K', 'V', 'C', '\r', '\n'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kMaxTokens = uint64_t{1} << 24;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t kv_type;
  uint64_t model_id;
  uint64_t n_layer;
  uint64_t n_head_kv;
  uint64_t head_dim;
  uint64_t row_bytes;
  uint64_t n_tokens;
  uint64_t payload_hash;
  uint64_t header_hash;  // of the bytes before it
};
static_assert(sizeof(Header) == 80, "the header is 80 bytes on disk");
constexpr size_t kHashedHeaderBytes = offsetof(Header, header_hash);

uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// The name prefix: the model and the KV layout, so files for another model or
// cache type in the same directory are never even opened.
uint64_t store_id(uint64_t model_id, const KvCache& kv) {
  const uint64_t fields[5] = {
      model_id, static_cast<uint64_t>(kv.type()), static_cast<uint64_t>(kv.n_layer()),
      static_cast<uint64_t>(kv.n_head_kv()), static_cast<uint64_t>(kv.head_dim())};
  return hash_bytes(fields, sizeof fields, 0x2B7E151628AED2A6ull);
}

// The header a context's KV layout calls for, with everything but the token
// count and hashes filled in.
Header layout_header(uint64_t model_id, const KvCache& kv) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.kv_type = static_cast<uint32_t>(kv.type());
  h.model_id = model_id;
  h.n_layer = static_cast<uint64_t>(kv.n_layer());
  h.n_head_kv = static_cast<uint64_t>(kv.n_head_kv());
  h.head_dim = static_cast<uint64_t>(kv.head_dim());
  h.row_bytes = static_cast<uint64_t>(kv.row_bytes());
  return h;
}

// Checks a header against what this model and context expect, and the file's
// size against what the header promises. Returns why it does not fit.
Status check_header(const Header& h, const Header& want, uint64_t file_size) {
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
    return corrupt_file("not a Zhi prompt cache file (bad magic)");
  if (hash_bytes(&h, kHashedHeaderBytes) != h.header_hash)
    return corrupt_file("corrupt header (header checksum mismatch)");
  if (h.version != kVersion)
    return unsupported("format version " + std::to_string(h.version) + " (this build reads " +
                       std::to_string(kVersion) + ")");
  if (h.model_id != want.model_id)
    return invalid_argument("written for a different model (model id " + hex16(h.model_id) +
                            ", this model is " + hex16(want.model_id) + ")");
  if (h.kv_type != want.kv_type || h.n_layer != want.n_layer || h.n_head_kv != want.n_head_kv ||
      h.head_dim != want.head_dim || h.row_bytes != want.row_bytes)
    return invalid_argument("KV layout differs (type " + std::to_string(h.kv_type) + ", " +
                            std::to_string(h.n_layer) + " layers, " + std::to_string(h.n_head_kv) +
                            " KV heads of " + std::to_string(h.head_dim) + "; this context: type " +
                            std::to_string(want.kv_type) + ", " + std::to_string(want.n_layer) +
                            " layers, " + std::to_string(want.n_head_kv) + " KV heads of " +
                            std::to_string(want.head_dim) + ")");
  if (h.n_tokens < 1 || h.n_tokens > kMaxTokens)
    return corrupt_file("token count " + std::to_string(h.n_tokens) + " is out of range");
  // n_tokens <= 2^24 and row_bytes and n_layer come from a live context: no overflow.
  const uint64_t expected =
      sizeof(Header) + h.n_tokens * 4 + 2 * h.n_layer * h.n_tokens * h.row_bytes;
  if (file_size != expected)
    return corrupt_file("the file is " + std::to_string(file_size) +
                        " bytes, its header promises " + std::to_string(expected) +
                        (file_size < expected ? " (truncated)" : ""));
  return {};
}

struct Candidate {
  fs::path path;
  uint64_t n_tokens = 0;
  int64_t reuse = 0;
};

// Reads and checks a file's header and token ids.
Status read_front(const fs::path& path, const Header& want, int64_t n_vocab, Header* h,
                  std::vector<int32_t>* tokens, File* out) {
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return io_error("cannot stat: " + ec.message());
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) return io_error(std::string("cannot open: ") + std::strerror(errno));
  if (size < sizeof(Header) || std::fread(h, sizeof(Header), 1, f.get()) != 1)
    return corrupt_file("shorter than its " + std::to_string(sizeof(Header)) +
                        "-byte header (truncated)");
  ZHI_RETURN_IF_ERROR(check_header(*h, want, size));
  tokens->resize(h->n_tokens);
  if (std::fread(tokens->data(), 4, tokens->size(), f.get()) != tokens->size())
    return corrupt_file("cannot read its token ids");
  for (size_t i = 0; i < tokens->size(); ++i)
    if ((*tokens)[i] < 0 || (*tokens)[i] >= n_vocab)
      return corrupt_file("token id " + std::to_string((*tokens)[i]) + " at position " +
                          std::to_string(i) + " is outside the vocabulary");
  if (out) *out = std::move(f);
  return {};
}

}  // namespace

uint64_t hash_bytes(const void* data, size_t n, uint64_t seed) {
  constexpr uint64_t kMul = 0x9FB21C651E98DF25ull;  // odd: multiplying is a bijection
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = seed ^ 0x6A09E667F3BCC909ull ^ (static_cast<uint64_t>(n) * 0xC2B2AE3D27D4EB4Full);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * kMul;  // both steps are bijections of h, so no single word change cancels
    h ^= h >> 32;
  }
  if (i < n) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, n - i);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  }
  return mix64(h);
}

uint64_t model_identity(const Qwen2Model& model) {
  uint64_t h = 0x5A4849ull;  // "ZHI"
  auto add = [&h](const void* p, size_t n) { h = hash_bytes(p, n, h); };
  auto add_i = [&add](int64_t v) { add(&v, sizeof v); };
  auto add_f = [&add](float v) { add(&v, sizeof v); };
  const Qwen2Config& c = model.config();
  for (int64_t v :
       {c.n_vocab, c.n_embd, c.n_layer, c.n_head, c.n_head_kv, c.head_dim, c.n_ff, c.rope_orig_ctx,
        static_cast<int64_t>(c.rope_scaling), static_cast<int64_t>(c.tied_output)})
    add_i(v);
  for (float v : {c.rope_theta, c.rms_eps, c.rope_factor}) add_f(v);
  constexpr uint64_t kSample = 4096;
  for (const GgufTensor& t : model.file().tensors()) {
    add(t.name.data(), t.name.size());
    add_i(static_cast<int64_t>(t.type));
    for (int64_t d : t.dims) add_i(d);
    add_i(static_cast<int64_t>(t.n_bytes));
    if (t.data == nullptr || t.n_bytes == 0) continue;
    const uint64_t n = std::min(kSample, t.n_bytes);
    add(t.data, n);
    add(t.data + (t.n_bytes - n) / 2, n);
    add(t.data + t.n_bytes - n, n);
  }
  return h;
}

PromptCacheDir::PromptCacheDir(std::string dir, uint64_t model_id, int64_t n_vocab)
    : dir_(std::move(dir)), model_id_(model_id), n_vocab_(n_vocab) {}

namespace {

std::string file_name(uint64_t store, std::span<const int32_t> tokens) {
  return hex16(store) + "-" + hex16(hash_bytes(tokens.data(), tokens.size_bytes())) + ".zkv";
}

}  // namespace

int64_t PromptCacheDir::load(Qwen2Context& ctx, std::span<const int32_t> tokens, int64_t max_tokens,
                             int64_t min_useful, std::vector<std::string>* warnings) const {
  const KvCache& kv = ctx.kv_cache();
  const Header want = layout_header(model_id_, kv);
  const std::string prefix = hex16(store_id(model_id_, kv)) + "-";
  max_tokens = std::min({max_tokens, static_cast<int64_t>(tokens.size()), ctx.n_ctx()});
  if (max_tokens <= min_useful) return 0;
  auto warn = [&](const fs::path& p, const std::string& why) {
    if (warnings) warnings->push_back("prompt cache file " + p.string() + " skipped: " + why);
  };

  std::vector<Candidate> candidates;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (name.size() != 37 || name.compare(0, prefix.size(), prefix) != 0 || p.extension() != ".zkv")
      continue;
    Header h;
    std::vector<int32_t> stored;
    if (Status s = read_front(p, want, n_vocab_, &h, &stored, nullptr); !s.ok()) {
      warn(p, s.message());
      continue;
    }
    const int64_t reuse = std::min(common_prefix(stored, tokens), max_tokens);
    if (reuse > min_useful) candidates.push_back({p, h.n_tokens, reuse});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.reuse > b.reuse; });

  for (const Candidate& c : candidates) {
    Header h;
    std::vector<int32_t> stored;
    File f;
    Status s = read_front(c.path, want, n_vocab_, &h, &stored, &f);
    if (s.ok()) {
      // Rows go straight into the cache while the whole payload is hashed; a
      // mismatch leaves the context empty.
      const uint64_t block = h.n_tokens * h.row_bytes;
      s = ctx.import_kv(c.reuse, [&](KvCache& cache) -> Status {
        uint64_t hash = hash_bytes(stored.data(), stored.size() * 4);
        std::vector<uint8_t> buf(block);
        for (int64_t layer = 0; layer < cache.n_layer(); ++layer) {
          for (const KvCache::Part part : {KvCache::Part::kK, KvCache::Part::kV}) {
            if (std::fread(buf.data(), 1, block, f.get()) != block)
              return corrupt_file("cannot read its KV rows");
            hash = hash_bytes(buf.data(), block, hash);
            cache.write_rows(layer, part, c.reuse, buf.data());
          }
        }
        if (hash != h.payload_hash)
          return corrupt_file("corrupt contents (checksum mismatch); removed");
        return {};
      });
      if (s.ok()) return c.reuse;
      if (s.code() == StatusCode::kCorruptFile) {
        f.reset();
        fs::remove(c.path, ec);
      }
    }
    warn(c.path, s.message());
  }
  return 0;
}

Status PromptCacheDir::save(const Qwen2Context& ctx, std::span<const int32_t> tokens) const {
  const KvCache& kv = ctx.kv_cache();
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n < 1 || n > ctx.n_past() || static_cast<uint64_t>(n) > kMaxTokens)
    return invalid_argument("cannot save " + std::to_string(n) +
                            " positions of a context holding " + std::to_string(ctx.n_past()));
  const fs::path path = fs::path(dir_) / file_name(store_id(model_id_, kv), tokens);
  Header want = layout_header(model_id_, kv);
  std::error_code ec;
  if (fs::exists(path, ec)) {
    Header h;
    std::vector<int32_t> stored;
    if (read_front(path, want, n_vocab_, &h, &stored, nullptr).ok() &&
        std::equal(stored.begin(), stored.end(), tokens.begin(), tokens.end()))
      return {};
  }
  fs::create_directories(dir_, ec);
  if (ec) return io_error("prompt cache directory " + dir_ + ": " + ec.message());

  // The file holds position rows (KvCache::read_rows), one layer's K then
  // its V, layer after layer. They are gathered once, hashed as they are
  // written, and the header, which holds the hash, is written again last
  // (the temporary file only becomes the cache file once complete).
  const uint64_t block = static_cast<uint64_t>(n) * want.row_bytes;
  std::vector<uint8_t> rows(block);
  const KvCache::Part parts[] = {KvCache::Part::kK, KvCache::Part::kV};
  want.n_tokens = static_cast<uint64_t>(n);

  static std::atomic<uint64_t> counter{0};
  const fs::path tmp =
      fs::path(dir_) / ("." + path.filename().string() + "." + std::to_string(::getpid()) + "." +
                        std::to_string(counter.fetch_add(1)) + ".tmp");
  bool ok = false;
  {
    File f(std::fopen(tmp.c_str(), "wb"));
    if (!f) return io_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    ok = std::fwrite(&want, sizeof want, 1, f.get()) == 1 &&
         std::fwrite(tokens.data(), 4, tokens.size(), f.get()) == tokens.size();
    uint64_t hash = hash_bytes(tokens.data(), tokens.size_bytes());
    for (int64_t layer = 0; ok && layer < kv.n_layer(); ++layer)
      for (const KvCache::Part part : parts) {
        kv.read_rows(layer, part, n, rows.data());
        hash = hash_bytes(rows.data(), block, hash);
        ok = ok && std::fwrite(rows.data(), 1, block, f.get()) == block;
      }
    want.payload_hash = hash;
    want.header_hash = hash_bytes(&want, kHashedHeaderBytes);
    ok = ok && std::fseek(f.get(), 0, SEEK_SET) == 0 &&
         std::fwrite(&want, sizeof want, 1, f.get()) == 1;
    ok = std::fflush(f.get()) == 0 && ok;
    ok = std::fclose(f.release()) == 0 && ok;
  }
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec) {
    fs::remove(tmp, ec);
    return io_error("cannot write prompt cache file " + path.string() +
                    (ok ? "" : ": write failed (disk full?)"));
  }
  return {};
}

}  // namespace zhi
