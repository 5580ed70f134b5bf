// The PostgreSQL audit store (libpq), for fleets that keep one audit database.
// A batch is one multi-row INSERT ... ON CONFLICT (uid) DO NOTHING inside a
// transaction; COMMIT returns once the server has made it durable (PostgreSQL's
// default synchronous_commit). A lost connection is re-established at the next
// write, so after an outage the log carries on (and replays its spool) without
// a restart.
#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>

#include "compliance/audit_store.h"

namespace zhi::compliance {
namespace {

// The table and its indexes; created under an advisory lock so that several
// writers starting at once do not race on CREATE TABLE IF NOT EXISTS.
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS audit (
  id BIGSERIAL PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  time_ms BIGINT NOT NULL,
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
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7302184551)";

constexpr const char* kColumns =
    "uid, time_ms, request_id, produce_id, region, feature, provider, decision, category, rule, "
    "input_sha256, output_sha256, input_text, output_text";
constexpr int kNumColumns = 14;

// Owns a PGresult.
class PgResult {
 public:
  explicit PgResult(PGresult* r = nullptr) : r_(r) {}
  ~PgResult() { PQclear(r_); }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PGresult* get() const { return r_; }
  ExecStatusType status() const { return r_ ? PQresultStatus(r_) : PGRES_FATAL_ERROR; }
  std::string text(int row, int col) const {
    return PQgetisnull(r_, row, col) ? std::string()
                                     : std::string(PQgetvalue(r_, row, col),
                                                   static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  int64_t int64(int row, int col) const {
    return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
  }

 private:
  PGresult* r_;
};

AuditRecord record_from_row(const PgResult& r, int row) {
  AuditRecord a;
  a.uid = r.text(row, 0);
  a.time_ms = r.int64(row, 1);
  a.request_id = r.text(row, 2);
  a.produce_id = r.text(row, 3);
  a.region = r.text(row, 4);
  a.feature = r.text(row, 5);
  a.provider = r.text(row, 6);
  a.decision = r.text(row, 7);
  a.category = r.text(row, 8);
  a.rule = r.text(row, 9);
  a.input_sha256 = r.text(row, 10);
  a.output_sha256 = r.text(row, 11);
  a.input_text = r.text(row, 12);
  a.output_text = r.text(row, 13);
  return a;
}

std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown error" : s;
}

class PostgresAuditStore final : public AuditStore {
 public:
  PostgresAuditStore(std::string url, AuditStoreMode mode, int timeout_ms)
      : url_(std::move(url)), name_(redact_target(url_)), mode_(mode), timeout_ms_(timeout_ms) {}
  ~PostgresAuditStore() override {
    if (conn_) PQfinish(conn_);
  }

  // Connects (and in writer mode creates the schema).
  Status connect() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return Status();
    if (conn_) {
      PQfinish(conn_);
      conn_ = nullptr;
    }
    // libpq counts the connect timeout in whole seconds, at least 2. The
    // connection string's own settings come after ours and win.
    const std::string connect_timeout = std::to_string(std::max(2, (timeout_ms_ + 999) / 1000));
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {connect_timeout.c_str(), "zhi-audit", url_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (!conn_) return io_error(name_ + ": cannot allocate a PostgreSQL connection");
    if (PQstatus(conn_) != CONNECTION_OK) {
      const Status st = io_error(name_ + ": cannot connect: " + trimmed(PQerrorMessage(conn_)));
      PQfinish(conn_);
      conn_ = nullptr;
      return st;
    }
    // A lock held elsewhere fails a write after the timeout instead of stalling
    // the log, as SQLite's busy timeout does; nothing runs unbounded.
    const std::string settings =
        "SET lock_timeout = " + std::to_string(std::max(1, timeout_ms_)) +
        "; SET statement_timeout = 60000; SET client_min_messages = warning";
    Status st = command(settings.c_str(), "settings");
    if (st.ok() && mode_ == AuditStoreMode::kWriter && !schema_ready_) {
      st = command("BEGIN", "schema");
      if (st.ok()) st = command(kSchemaLock, "schema lock");
      if (st.ok()) st = command(kSchema, "schema");
      if (st.ok()) st = command("COMMIT", "schema");
      schema_ready_ = st.ok();
    }
    if (!st.ok()) {  // start from a fresh connection next time
      PQfinish(conn_);
      conn_ = nullptr;
    }
    return st;
  }

  Status write_batch(const std::vector<AuditRecord>& batch) override {
    if (mode_ != AuditStoreMode::kWriter)
      return internal_error(name_ + ": audit store not opened for writing");
    if (batch.empty()) return Status();
    ZHI_RETURN_IF_ERROR(connect());
    std::string sql = std::string("INSERT INTO audit (") + kColumns + ") VALUES ";
    std::vector<const char*> values;
    std::vector<std::string> times;
    values.reserve(batch.size() * kNumColumns);
    times.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      const AuditRecord& r = batch[i];
      sql += i ? ",(" : "(";
      for (int c = 0; c < kNumColumns; ++c) {
        sql += (c ? ",$" : "$") + std::to_string(i * kNumColumns + c + 1);
        if (c == 1) sql += "::bigint";
      }
      sql += ")";
      times.push_back(std::to_string(r.time_ms));
      values.insert(values.end(),
                    {r.uid.c_str(), times.back().c_str(), r.request_id.c_str(),
                     r.produce_id.c_str(), r.region.c_str(), r.feature.c_str(), r.provider.c_str(),
                     r.decision.c_str(), r.category.c_str(), r.rule.c_str(), r.input_sha256.c_str(),
                     r.output_sha256.c_str(), r.input_text.empty() ? nullptr : r.input_text.c_str(),
                     r.output_text.empty() ? nullptr : r.output_text.c_str()});
    }
    sql += " ON CONFLICT (uid) DO NOTHING";
    Status st = command("BEGIN", "insert");
    if (st.ok()) {
      PgResult res(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0));
      if (res.status() != PGRES_COMMAND_OK) st = error("insert");
    }
    // When COMMIT's reply is lost the outcome is unknown; the caller treats the
    // batch as failed, and a later replay of it is harmless (ON CONFLICT).
    if (st.ok()) st = command("COMMIT", "commit");
    if (!st.ok()) rollback();
    return st;
  }

  Result<AuditStats> stats() override {
    ZHI_RETURN_IF_ERROR(connect());
    AuditStats s;
    PgResult a(PQexec(conn_,
                      "SELECT COUNT(*), COALESCE(MIN(time_ms), 0), COALESCE(MAX(time_ms), 0) "
                      "FROM audit"));
    if (a.status() != PGRES_TUPLES_OK || PQntuples(a.get()) != 1) return error("stats");
    s.records = a.int64(0, 0);
    s.oldest_ms = a.int64(0, 1);
    s.newest_ms = a.int64(0, 2);
    PgResult b(
        PQexec(conn_, "SELECT decision, COUNT(*) FROM audit GROUP BY decision ORDER BY decision"));
    if (b.status() != PGRES_TUPLES_OK) return error("stats");
    for (int row = 0; row < PQntuples(b.get()); ++row)
      s.by_decision[b.text(row, 0)] = b.int64(row, 1);
    return s;
  }

  Result<int64_t> purge_before(int64_t cutoff_ms) override {
    ZHI_RETURN_IF_ERROR(connect());
    const std::string cutoff = std::to_string(cutoff_ms);
    const char* values[] = {cutoff.c_str()};
    PgResult r(PQexecParams(conn_, "DELETE FROM audit WHERE time_ms < $1::bigint", 1, nullptr,
                            values, nullptr, nullptr, 0));
    if (r.status() != PGRES_COMMAND_OK) return error("purge");
    return static_cast<int64_t>(std::strtoll(PQcmdTuples(r.get()), nullptr, 10));
  }

  Result<int64_t> export_jsonl(int64_t since_ms, std::ostream& out) override {
    ZHI_RETURN_IF_ERROR(connect());
    const std::string since = std::to_string(since_ms);
    const char* values[] = {since.c_str()};
    const std::string sql = std::string("SELECT ") + kColumns +
                            " FROM audit WHERE time_ms >= $1::bigint ORDER BY time_ms, id";
    if (!PQsendQueryParams(conn_, sql.c_str(), 1, nullptr, values, nullptr, nullptr, 0))
      return error("export");
    // Row by row, so a large export never sits in memory whole.
    PQsetSingleRowMode(conn_);
    int64_t n = 0;
    Status st;
    while (PGresult* raw = PQgetResult(conn_)) {
      PgResult r(raw);
      if (r.status() == PGRES_SINGLE_TUPLE) {
        if (st.ok()) {
          out << audit_record_line(record_from_row(r, 0)) << "\n";
          ++n;
        }
      } else if (r.status() != PGRES_TUPLES_OK && st.ok()) {
        st = io_error(name_ + ": export: " + trimmed(PQresultErrorMessage(r.get())));
      }
    }
    ZHI_RETURN_IF_ERROR(st);
    if (!out) return io_error("export: write failed");
    return n;
  }

  Result<std::optional<AuditRecord>> find_produce_id(const std::string& produce_id) override {
    ZHI_RETURN_IF_ERROR(connect());
    const char* values[] = {produce_id.c_str()};
    const std::string sql =
        std::string("SELECT ") + kColumns + " FROM audit WHERE produce_id = $1 ORDER BY id LIMIT 1";
    PgResult r(PQexecParams(conn_, sql.c_str(), 1, nullptr, values, nullptr, nullptr, 0));
    if (r.status() != PGRES_TUPLES_OK) return error("lookup");
    if (PQntuples(r.get()) == 0) return std::optional<AuditRecord>();
    return std::optional<AuditRecord>(record_from_row(r, 0));
  }

  const std::string& name() const override { return name_; }

 private:
  Status error(const std::string& what) const {
    return io_error(name_ + ": " + what + ": " + trimmed(conn_ ? PQerrorMessage(conn_) : nullptr));
  }
  Status command(const char* sql, const std::string& what) {
    PgResult r(PQexec(conn_, sql));
    if (r.status() != PGRES_COMMAND_OK && r.status() != PGRES_TUPLES_OK) return error(what);
    return Status();
  }
  void rollback() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE)
      PQclear(PQexec(conn_, "ROLLBACK"));
  }

  std::string url_;
  std::string name_;
  AuditStoreMode mode_;
  int timeout_ms_;
  PGconn* conn_ = nullptr;
  bool schema_ready_ = false;
};

}  // namespace

Result<std::unique_ptr<AuditStore>> open_postgres_audit_store(const std::string& url,
                                                              AuditStoreMode mode, int timeout_ms,
                                                              bool may_start_offline) {
  auto store = std::make_unique<PostgresAuditStore>(url, mode, timeout_ms);
  if (Status st = store->connect(); !st.ok() && !may_start_offline) return st;
  return std::unique_ptr<AuditStore>(std::move(store));
}

}  // namespace zhi::compliance
