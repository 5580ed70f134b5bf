#include "compliance/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "compliance/sha256.h"

namespace zhi::compliance {
namespace {

constexpr size_t kMaxBatch = 512;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  time_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  produce_id TEXT NOT NULL,
  region TEXT NOT NULL,
  feature TEXT NOT NULL,
  provider TEXT NOT NULL,
  decision TEXT NOT NULL,
  category TEXT NOT NULL,
  rule TEXT NOT NULL,
  input_sha256 TEXT NOT NULL,
  output_sha256 TEXT NOT NULL,
  input_text TEXT,
  output_text TEXT
);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ms);
CREATE INDEX IF NOT EXISTS audit_produce_id ON audit(produce_id);
)";

constexpr const char* kColumns =
    "uid, time_ms, request_id, produce_id, region, feature, provider, decision, category, rule, "
    "input_sha256, output_sha256, input_text, output_text";

Status sqlite_error(sqlite3* db, const std::string& path, const std::string& what) {
  return io_error(path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot allocate"));
}

Status exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return io_error(path + ": " + msg);
  }
  return Status();
}

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

AuditRecord record_from_row(sqlite3_stmt* st) {
  const auto text = [&](int col) {
    const unsigned char* t = sqlite3_column_text(st, col);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  AuditRecord r;
  r.uid = text(0);
  r.time_ms = sqlite3_column_int64(st, 1);
  r.request_id = text(2);
  r.produce_id = text(3);
  r.region = text(4);
  r.feature = text(5);
  r.provider = text(6);
  r.decision = text(7);
  r.category = text(8);
  r.rule = text(9);
  r.input_sha256 = text(10);
  r.output_sha256 = text(11);
  r.input_text = text(12);
  r.output_text = text(13);
  return r;
}

// A connection for maintenance and reading.
class Connection {
 public:
  ~Connection() {
    if (db_) sqlite3_close(db_);
  }
  Status open(const std::string& path, bool write) {
    path_ = path;
    const int flags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
      return sqlite_error(db_, path, "cannot open audit database");
    sqlite3_busy_timeout(db_, 5000);
    return Status();
  }
  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  ~Statement() { sqlite3_finalize(st_); }
  Status prepare(const Connection& c, const std::string& sql) {
    if (sqlite3_prepare_v2(c.get(), sql.c_str(), -1, &st_, nullptr) != SQLITE_OK)
      return sqlite_error(c.get(), c.path(), "query");
    return Status();
  }
  sqlite3_stmt* get() const { return st_; }

 private:
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace

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
  if (options.spool_path.empty()) options.spool_path = options.path + ".spool";
  if (options.queue_capacity == 0) options.queue_capacity = 1;
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  const std::string& path = log->opt_.path;
  if (sqlite3_open_v2(path.c_str(), &log->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return sqlite_error(log->db_, path, "cannot open audit database");
  sqlite3_busy_timeout(log->db_, log->opt_.busy_timeout_ms);
  ZHI_RETURN_IF_ERROR(exec(log->db_, path, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"));
  ZHI_RETURN_IF_ERROR(exec(log->db_, path, kSchema));
  const std::string sql = std::string("INSERT OR IGNORE INTO audit (") + kColumns +
                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
  if (sqlite3_prepare_v2(log->db_, sql.c_str(), -1, &log->insert_, nullptr) != SQLITE_OK)
    return sqlite_error(log->db_, path, "prepare insert");
  {
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
  if (insert_) sqlite3_finalize(insert_);
  if (db_) sqlite3_close(db_);
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
  const std::string& path = opt_.path;
  ZHI_RETURN_IF_ERROR(exec(db_, path, "BEGIN IMMEDIATE"));
  for (const AuditRecord& r : batch) {
    sqlite3_reset(insert_);
    const std::string* texts[] = {&r.uid,     &r.request_id,   &r.produce_id,   &r.region,
                                  &r.feature, &r.provider,     &r.decision,     &r.category,
                                  &r.rule,    &r.input_sha256, &r.output_sha256};
    sqlite3_bind_text(insert_, 1, texts[0]->c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert_, 2, r.time_ms);
    for (int i = 1; i < 11; ++i)
      sqlite3_bind_text(insert_, i + 2, texts[i]->c_str(), -1, SQLITE_TRANSIENT);
    if (r.input_text.empty())
      sqlite3_bind_null(insert_, 13);
    else
      sqlite3_bind_text(insert_, 13, r.input_text.c_str(), -1, SQLITE_TRANSIENT);
    if (r.output_text.empty())
      sqlite3_bind_null(insert_, 14);
    else
      sqlite3_bind_text(insert_, 14, r.output_text.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(insert_) != SQLITE_DONE) {
      const Status st = sqlite_error(db_, path, "insert");
      sqlite3_reset(insert_);
      (void)exec(db_, path, "ROLLBACK");
      return st;
    }
  }
  sqlite3_reset(insert_);
  if (Status st = exec(db_, path, "COMMIT"); !st.ok()) {
    (void)exec(db_, path, "ROLLBACK");
    return st;
  }
  return Status();
}

Status AuditLog::spool_batch(const std::vector<AuditRecord>& batch) {
  std::string lines;
  for (const AuditRecord& r : batch)
    lines += record_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    AuditRecord r;
    if (!j.is_discarded() && record_from_json(j, &r)) records.push_back(std::move(r));
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
  Connection c;
  ZHI_RETURN_IF_ERROR(c.open(path, false));
  AuditStats s;
  Statement a;
  ZHI_RETURN_IF_ERROR(a.prepare(
      c, "SELECT COUNT(*), COALESCE(MIN(time_ms), 0), COALESCE(MAX(time_ms), 0) FROM audit"));
  if (sqlite3_step(a.get()) != SQLITE_ROW) return sqlite_error(c.get(), path, "stats");
  s.records = sqlite3_column_int64(a.get(), 0);
  s.oldest_ms = sqlite3_column_int64(a.get(), 1);
  s.newest_ms = sqlite3_column_int64(a.get(), 2);
  Statement b;
  ZHI_RETURN_IF_ERROR(
      b.prepare(c, "SELECT decision, COUNT(*) FROM audit GROUP BY decision ORDER BY decision"));
  while (sqlite3_step(b.get()) == SQLITE_ROW) {
    const unsigned char* d = sqlite3_column_text(b.get(), 0);
    s.by_decision[d ? reinterpret_cast<const char*>(d) : ""] = sqlite3_column_int64(b.get(), 1);
  }
  return s;
}

Result<int64_t> audit_purge(const std::string& path, int retention_days, int64_t now) {
  if (retention_days < 1) return invalid_argument("retention must be at least one day");
  Connection c;
  ZHI_RETURN_IF_ERROR(c.open(path, true));
  Statement st;
  ZHI_RETURN_IF_ERROR(st.prepare(c, "DELETE FROM audit WHERE time_ms < ?1"));
  sqlite3_bind_int64(st.get(), 1, now - int64_t{retention_days} * 86400000);
  if (sqlite3_step(st.get()) != SQLITE_DONE) return sqlite_error(c.get(), path, "purge");
  return static_cast<int64_t>(sqlite3_changes(c.get()));
}

Result<int64_t> audit_export_jsonl(const std::string& path, int64_t since_ms, std::ostream& out) {
  Connection c;
  ZHI_RETURN_IF_ERROR(c.open(path, false));
  Statement st;
  ZHI_RETURN_IF_ERROR(st.prepare(c, std::string("SELECT ") + kColumns +
                                        " FROM audit WHERE time_ms >= ?1 ORDER BY time_ms, id"));
  sqlite3_bind_int64(st.get(), 1, since_ms);
  int64_t n = 0;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    out << record_json(record_from_row(st.get()))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
    ++n;
  }
  if (rc != SQLITE_DONE) return sqlite_error(c.get(), path, "export");
  if (!out) return io_error("export: write failed");
  return n;
}

Result<std::optional<AuditRecord>> audit_find_produce_id(const std::string& path,
                                                         const std::string& produce_id) {
  Connection c;
  ZHI_RETURN_IF_ERROR(c.open(path, false));
  Statement st;
  ZHI_RETURN_IF_ERROR(st.prepare(
      c, std::string("SELECT ") + kColumns + " FROM audit WHERE produce_id = ?1 LIMIT 1"));
  sqlite3_bind_text(st.get(), 1, produce_id.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st.get());
  if (rc == SQLITE_ROW) return std::optional<AuditRecord>(record_from_row(st.get()));
  if (rc != SQLITE_DONE) return sqlite_error(c.get(), path, "lookup");
  return std::optional<AuditRecord>();
}

}  // namespace zhi::compliance
