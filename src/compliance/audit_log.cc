#include "compliance/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "compliance/sha256.h"

namespace zhi::compliance {
namespace {

constexpr size_t kMaxBatch = 512;

std::string random_uid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (int w = 0; w < 2; ++w) {
    const uint64_t r = rng();
    for (int k = 0; k < 16; ++k) s += kHex[(r >> (4 * k)) & 15];
  }
  return s;
}

nlohmann::ordered_json record_json(const AuditRecord& r) {
  nlohmann::ordered_json j;
  j["uid"] = r.uid;
  j["time_ms"] = r.time_ms;
  j["request_id"] = r.request_id;
  j["produce_id"] = r.produce_id;
  j["region"] = r.region;
  j["feature"] = r.feature;
  j["provider"] = r.provider;
  j["decision"] = r.decision;
  j["category"] = r.category;
  j["rule"] = r.rule;
  j["input_sha256"] = r.input_sha256;
  j["output_sha256"] = r.output_sha256;
  if (!r.input_text.empty()) j["input_text"] = r.input_text;
  if (!r.output_text.empty()) j["output_text"] = r.output_text;
  return j;
}

bool record_from_json(const nlohmann::json& j, AuditRecord* r) {
  if (!j.is_object()) return false;
  const auto str = [&](const char* k, std::string* out) {
    if (j.contains(k) && j[k].is_string()) *out = j[k].get<std::string>();
  };
  if (!j.contains("uid") || !j["uid"].is_string() || !j.contains("time_ms") ||
      !j["time_ms"].is_number_integer())
    return false;
  str("uid", &r->uid);
  r->time_ms = j["time_ms"].get<int64_t>();
  str("request_id", &r->request_id);
  str("produce_id", &r->produce_id);
  str("region", &r->region);
  str("feature", &r->feature);
  str("provider", &r->provider);
  str("decision", &r->decision);
  str("category", &r->category);
  str("rule", &r->rule);
  str("input_sha256", &r->input_sha256);
  str("output_sha256", &r->output_sha256);
  str("input_text", &r->input_text);
  str("output_text", &r->output_text);
  return true;
}

}  // namespace

std::string audit_record_line(const AuditRecord& r) {
  return record_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool parse_audit_record_line(std::string_view line, AuditRecord* r) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return !j.is_discarded() && record_from_json(j, r);
}

bool is_postgres_target(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

std::string redact_target(std::string_view target) {
  std::string s(target);
  if (!is_postgres_target(s)) return s;
  // postgresql://user:PASSWORD@host/db
  const size_t scheme = s.find("://") + 3;
  const size_t authority_end = std::min(s.find_first_of("/?", scheme), s.size());
  const size_t at = s.rfind('@', authority_end);
  if (at != std::string::npos && at >= scheme) {
    const size_t colon = s.find(':', scheme);
    if (colon != std::string::npos && colon < at) s.replace(colon + 1, at - colon - 1, "***");
  }
  // ...?password=PASSWORD&...
  for (size_t p = s.find("password="); p != std::string::npos; p = s.find("password=", p + 1)) {
    if (p == 0 || (s[p - 1] != '?' && s[p - 1] != '&')) continue;
    const size_t v = p + 9;
    s.replace(v, std::min(s.find('&', v), s.size()) - v, "***");
  }
  return s;
}

Result<std::unique_ptr<AuditStore>> open_audit_store(const std::string& target, AuditStoreMode mode,
                                                     int busy_timeout_ms, bool may_start_offline) {
  if (target.empty()) return invalid_argument("audit database: empty path or connection string");
  if (is_postgres_target(target))
    return open_postgres_audit_store(target, mode, busy_timeout_ms, may_start_offline);
  return open_sqlite_audit_store(target, mode, busy_timeout_ms);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void set_audit_texts(const AuditSettings& settings, std::string_view input, std::string_view output,
                     AuditRecord* r) {
  r->input_sha256 = sha256_hex(input);
  r->output_sha256 = sha256_hex(output);
  if (settings.store_raw_text) {
    r->input_text = std::string(input);
    r->output_text = std::string(output);
  } else {
    r->input_text.clear();
    r->output_text.clear();
  }
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(Options options) {
  const bool postgres = is_postgres_target(options.path);
  if (options.spool_path.empty() && !postgres) options.spool_path = options.path + ".spool";
  if (options.spool_path.empty() && options.on_failure == AuditFailureMode::kSpool)
    return invalid_argument(redact_target(options.path) +
                            ": a PostgreSQL audit log in spool mode needs a local spool file");
  if (options.queue_capacity == 0) options.queue_capacity = 1;
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  // In spool mode an unreachable server must not stop the service: records
  // wait in the spool until it is back.
  Result<std::unique_ptr<AuditStore>> store =
      open_audit_store(log->opt_.path, AuditStoreMode::kWriter, log->opt_.busy_timeout_ms,
                       /*may_start_offline=*/log->opt_.on_failure == AuditFailureMode::kSpool);
  if (!store.ok()) return store.status();
  log->store_ = std::move(store).value();
  if (!log->opt_.spool_path.empty()) {
    std::ifstream spool(log->opt_.spool_path);
    std::string line;
    while (std::getline(spool, line)) log->spooled_ += !line.empty();
  }
  if (log->spooled_ > 0)
    (void)log->replay_spool();  // stays spooled if the database is still unwritable
  log->writer_ = std::thread([raw = log.get()] { raw->writer_loop(); });
  return log;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

Status AuditLog::enqueue(AuditRecord r, uint64_t* seq) {
  if (r.uid.empty()) r.uid = random_uid();
  if (r.time_ms == 0) r.time_ms = now_ms();
  std::unique_lock<std::mutex> lk(mu_);
  queue_cv_.wait(lk, [&] { return stop_ || queue_.size() < opt_.queue_capacity; });
  if (stop_) return internal_error("audit log is closing");
  *seq = next_seq_++;
  queue_.emplace_back(*seq, std::move(r));
  queue_cv_.notify_all();
  return Status();
}

Status AuditLog::wait_for(uint64_t seq) {
  std::unique_lock<std::mutex> lk(mu_);
  done_cv_.wait(lk, [&] { return done_seq_ >= seq; });
  Status first;
  for (auto it = failed_.begin(); it != failed_.end() && it->first <= seq;) {
    if (first.ok()) first = it->second;
    it = failed_.erase(it);
  }
  return first;
}

Status AuditLog::append(AuditRecord r) {
  uint64_t seq = 0;
  ZHI_RETURN_IF_ERROR(enqueue(std::move(r), &seq));
  return wait_for(seq);
}

Status AuditLog::append_async(AuditRecord r) {
  uint64_t seq = 0;
  return enqueue(std::move(r), &seq);
}

Status AuditLog::flush() {
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lk(mu_);
    seq = next_seq_ - 1;
  }
  return wait_for(seq);
}

bool AuditLog::healthy() const {
  std::lock_guard<std::mutex> lk(mu_);
  return healthy_;
}

size_t AuditLog::spooled() const {
  std::lock_guard<std::mutex> lk(mu_);
  return spooled_;
}

void AuditLog::writer_loop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (true) {
    queue_cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and drained
    std::vector<AuditRecord> batch;
    uint64_t last = 0;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      last = queue_.front().first;
      batch.push_back(std::move(queue_.front().second));
      queue_.pop_front();
    }
    const uint64_t first = last + 1 - batch.size();
    queue_cv_.notify_all();  // room for producers
    lk.unlock();
    Status st = write_batch(batch);
    if (st.ok()) {
      if (spooled_ > 0) (void)replay_spool();
    } else if (opt_.on_failure == AuditFailureMode::kSpool) {
      const Status sp = spool_batch(batch);
      st = sp.ok() ? Status()
                   : Status(sp.code(), st.message() + "; and the spool failed: " + sp.message());
    }
    lk.lock();
    healthy_ = st.ok();
    if (!st.ok()) {
      for (uint64_t s = first; s <= last; ++s) failed_.emplace(s, st);
    }
    done_seq_ = last;
    done_cv_.notify_all();
  }
}

Status AuditLog::write_batch(const std::vector<AuditRecord>& batch) {
  return store_->write_batch(batch);
}

Status AuditLog::spool_batch(const std::vector<AuditRecord>& batch) {
  std::string lines;
  for (const AuditRecord& r : batch) lines += audit_record_line(r) + "\n";
  const int fd = ::open(opt_.spool_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(opt_.spool_path + ": cannot open spool");
  size_t done = 0;
  while (done < lines.size()) {
    const ssize_t n = ::write(fd, lines.data() + done, lines.size() - done);
    if (n <= 0) {
      ::close(fd);
      return io_error(opt_.spool_path + ": spool write failed");
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return io_error(opt_.spool_path + ": spool fsync failed");
  std::lock_guard<std::mutex> lk(mu_);
  spooled_ += batch.size();
  return Status();
}

Status AuditLog::replay_spool() {
  std::ifstream in(opt_.spool_path);
  if (!in) {
    std::lock_guard<std::mutex> lk(mu_);
    spooled_ = 0;
    return Status();
  }
  std::vector<AuditRecord> records;
  std::string line;
  while (std::getline(in, line)) {
    // A torn last line is a record whose fsync never returned: never acknowledged.
    AuditRecord r;
    if (parse_audit_record_line(line, &r)) records.push_back(std::move(r));
  }
  in.close();
  for (size_t at = 0; at < records.size(); at += kMaxBatch) {
    const std::vector<AuditRecord> part(
        records.begin() + static_cast<long>(at),
        records.begin() + static_cast<long>(std::min(records.size(), at + kMaxBatch)));
    ZHI_RETURN_IF_ERROR(write_batch(part));  // INSERT OR IGNORE on uid: replaying twice is harmless
  }
  // Everything is committed; only now may the spool go.
  if (::truncate(opt_.spool_path.c_str(), 0) != 0)
    return io_error(opt_.spool_path + ": cannot truncate spool");
  std::lock_guard<std::mutex> lk(mu_);
  spooled_ = 0;
  return Status();
}

Result<AuditStats> audit_stats(const std::string& path) {
  ZHI_ASSIGN_OR_RETURN(std::unique_ptr<AuditStore> store,
                       open_audit_store(path, AuditStoreMode::kReadOnly));
  return store->stats();
}

Result<int64_t> audit_purge(const std::string& path, int retention_days, int64_t now) {
  if (retention_days < 1) return invalid_argument("retention must be at least one day");
  ZHI_ASSIGN_OR_RETURN(std::unique_ptr<AuditStore> store,
                       open_audit_store(path, AuditStoreMode::kMaintain, 5000));
  return store->purge_before(now - int64_t{retention_days} * 86400000);
}

Result<int64_t> audit_export_jsonl(const std::string& path, int64_t since_ms, std::ostream& out) {
  ZHI_ASSIGN_OR_RETURN(std::unique_ptr<AuditStore> store,
                       open_audit_store(path, AuditStoreMode::kReadOnly, 5000));
  return store->export_jsonl(since_ms, out);
}

Result<std::optional<AuditRecord>> audit_find_produce_id(const std::string& path,
                                                         const std::string& produce_id) {
  ZHI_ASSIGN_OR_RETURN(std::unique_ptr<AuditStore> store,
                       open_audit_store(path, AuditStoreMode::kReadOnly, 5000));
  return store->find_produce_id(produce_id);
}

}  // namespace zhi::compliance
