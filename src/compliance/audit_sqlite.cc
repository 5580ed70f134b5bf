// The SQLite audit store: WAL, synchronous=FULL, so a committed batch
// survives a kill -9 or a power cut.
#include <sqlite3.h>

#include "compliance/audit_store.h"

namespace zhi::compliance {
namespace {

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

class Statement {
 public:
  ~Statement() { sqlite3_finalize(st_); }
  sqlite3_stmt** out() { return &st_; }
  sqlite3_stmt* get() const { return st_; }

 private:
  sqlite3_stmt* st_ = nullptr;
};

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

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(std::string path) : path_(std::move(path)) {}
  ~SqliteAuditStore() override {
    if (insert_) sqlite3_finalize(insert_);
    if (db_) sqlite3_close(db_);
  }

  Status open(AuditStoreMode mode, int busy_timeout_ms) {
    const int flags = mode == AuditStoreMode::kWriter
                          ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
                      : mode == AuditStoreMode::kMaintain ? SQLITE_OPEN_READWRITE
                                                          : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK)
      return error("cannot open audit database");
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    if (mode != AuditStoreMode::kWriter) return Status();
    ZHI_RETURN_IF_ERROR(exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"));
    ZHI_RETURN_IF_ERROR(exec(kSchema));
    const std::string sql =
        std::string("INSERT OR IGNORE INTO audit (") + kColumns +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &insert_, nullptr) != SQLITE_OK)
      return error("prepare insert");
    return Status();
  }

  Status write_batch(const std::vector<AuditRecord>& batch) override {
    if (!insert_) return internal_error(path_ + ": audit store not opened for writing");
    ZHI_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
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
        const Status st = error("insert");
        sqlite3_reset(insert_);
        (void)exec("ROLLBACK");
        return st;
      }
    }
    sqlite3_reset(insert_);
    if (Status st = exec("COMMIT"); !st.ok()) {
      (void)exec("ROLLBACK");
      return st;
    }
    return Status();
  }

  Result<AuditStats> stats() override {
    AuditStats s;
    Statement a;
    ZHI_RETURN_IF_ERROR(prepare(
        "SELECT COUNT(*), COALESCE(MIN(time_ms), 0), COALESCE(MAX(time_ms), 0) FROM audit", &a));
    if (sqlite3_step(a.get()) != SQLITE_ROW) return error("stats");
    s.records = sqlite3_column_int64(a.get(), 0);
    s.oldest_ms = sqlite3_column_int64(a.get(), 1);
    s.newest_ms = sqlite3_column_int64(a.get(), 2);
    Statement b;
    ZHI_RETURN_IF_ERROR(
        prepare("SELECT decision, COUNT(*) FROM audit GROUP BY decision ORDER BY decision", &b));
    int rc;
    while ((rc = sqlite3_step(b.get())) == SQLITE_ROW) {
      const unsigned char* d = sqlite3_column_text(b.get(), 0);
      s.by_decision[d ? reinterpret_cast<const char*>(d) : ""] = sqlite3_column_int64(b.get(), 1);
    }
    if (rc != SQLITE_DONE) return error("stats");
    return s;
  }

  Result<int64_t> purge_before(int64_t cutoff_ms) override {
    Statement st;
    ZHI_RETURN_IF_ERROR(prepare("DELETE FROM audit WHERE time_ms < ?1", &st));
    sqlite3_bind_int64(st.get(), 1, cutoff_ms);
    if (sqlite3_step(st.get()) != SQLITE_DONE) return error("purge");
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Result<int64_t> export_jsonl(int64_t since_ms, std::ostream& out) override {
    Statement st;
    ZHI_RETURN_IF_ERROR(prepare(
        std::string("SELECT ") + kColumns + " FROM audit WHERE time_ms >= ?1 ORDER BY time_ms, id",
        &st));
    sqlite3_bind_int64(st.get(), 1, since_ms);
    int64_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      out << audit_record_line(record_from_row(st.get())) << "\n";
      ++n;
    }
    if (rc != SQLITE_DONE) return error("export");
    if (!out) return io_error("export: write failed");
    return n;
  }

  Result<std::optional<AuditRecord>> find_produce_id(const std::string& produce_id) override {
    Statement st;
    ZHI_RETURN_IF_ERROR(prepare(
        std::string("SELECT ") + kColumns + " FROM audit WHERE produce_id = ?1 LIMIT 1", &st));
    sqlite3_bind_text(st.get(), 1, produce_id.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(st.get());
    if (rc == SQLITE_ROW) return std::optional<AuditRecord>(record_from_row(st.get()));
    if (rc != SQLITE_DONE) return error("lookup");
    return std::optional<AuditRecord>();
  }

  const std::string& name() const override { return path_; }

 private:
  Status error(const std::string& what) const {
    return io_error(path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "cannot allocate"));
  }
  Status exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return io_error(path_ + ": " + msg);
    }
    return Status();
  }
  Status prepare(const std::string& sql, Statement* st) {
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, st->out(), nullptr) != SQLITE_OK)
      return error("query");
    return Status();
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<AuditStore>> open_sqlite_audit_store(const std::string& path,
                                                            AuditStoreMode mode,
                                                            int busy_timeout_ms) {
  auto store = std::make_unique<SqliteAuditStore>(path);
  ZHI_RETURN_IF_ERROR(store->open(mode, busy_timeout_ms));
  return std::unique_ptr<AuditStore>(std::move(store));
}

}  // namespace zhi::compliance
