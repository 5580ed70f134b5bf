// The audit log on a real PostgreSQL server: the same guarantees as on SQLite
// (durable once acknowledged, even across kill -9; fail closed or spool and
// replay when the database cannot be written; purge, export, stats, lookup).
//
// Needs ZHI_TEST_PG_URL, a connection string to a server these tests may
// create schemas in; scripts/test.sh starts a throwaway one with
// scripts/pg_test_server.sh. Without it the tests skip, saying so, unless
// ZHI_REQUIRE_PG=1 (CI), where a missing server is a failure.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "compliance/audit_log.h"
#include "compliance/sha256.h"
#include "test_paths.h"

namespace zhi::compliance {
namespace {

#define ZHI_REQUIRE_PG()                                                                      \
  do {                                                                                        \
    if (pg_base_url().empty()) {                                                              \
      if (pg_required()) FAIL() << "ZHI_REQUIRE_PG=1 but ZHI_TEST_PG_URL is not set";         \
      GTEST_SKIP() << "no PostgreSQL server: set ZHI_TEST_PG_URL (scripts/pg_test_server.sh " \
                      "start DIR prints it)";                                                 \
    }                                                                                         \
  } while (0)

std::string pg_base_url() {
  const char* u = std::getenv("ZHI_TEST_PG_URL");
  return u ? u : "";
}

bool pg_required() {
  const char* r = std::getenv("ZHI_REQUIRE_PG");
  return r && std::string(r) == "1";
}

// Runs SQL on its own connection; returns the first value of the first row.
std::string psql(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) << sql << ": " << PQerrorMessage(c);
  std::string v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(c);
  return v;
}

std::string with_search_path(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// Each test writes into its own schema, so tests (and the release and
// sanitizer runs) can share one server in parallel.
class PgAudit : public ::testing::Test {
 protected:
  void SetUp() override {
    ZHI_REQUIRE_PG();
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    schema_ = "zhi_audit_" + std::to_string(getpid()) + "_" + info->name();
    for (char& ch : schema_)
      ch = std::isalnum(static_cast<unsigned char>(ch)) ? std::tolower(ch) : '_';
    psql(pg_base_url(), "SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + schema_ +
                            " CASCADE; CREATE SCHEMA " + schema_);
    url_ = with_search_path(pg_base_url(), schema_);
    spool_ = zhi::testing::temp_dir() + "/" + schema_ + ".spool";
    std::filesystem::remove(spool_);
  }
  void TearDown() override {
    if (!schema_.empty())
      psql(pg_base_url(),
           "SET client_min_messages = warning; DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }
  AuditLog::Options opts() const {
    AuditLog::Options o;
    o.path = url_;
    o.spool_path = spool_;
    return o;
  }
  std::string schema_, url_, spool_;
};

AuditRecord record(const std::string& request, int64_t time_ms = 0,
                   const std::string& decision = "allow") {
  AuditRecord r;
  r.time_ms = time_ms;
  r.request_id = request;
  r.produce_id = "pid-" + request;
  r.region = "cn";
  r.feature = "chat";
  r.provider = "local-qwen";
  r.decision = decision;
  set_audit_texts(AuditSettings{}, "input " + request, "output " + request, &r);
  return r;
}

int64_t count(const std::string& url) {
  Result<AuditStats> s = audit_stats(url);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? s->records : -1;
}

std::set<std::string> stored_request_ids(const std::string& url) {
  std::ostringstream out;
  Result<int64_t> n = audit_export_jsonl(url, 0, out);
  EXPECT_TRUE(n.ok()) << n.status().to_string();
  std::set<std::string> ids;
  std::istringstream in(out.str());
  std::string line;
  while (std::getline(in, line)) {
    AuditRecord r;
    EXPECT_TRUE(parse_audit_record_line(line, &r)) << line;
    ids.insert(r.request_id);
  }
  return ids;
}

TEST(PgTarget, RecognisedAndPasswordsRedacted) {
  EXPECT_TRUE(is_postgres_target("postgresql://u@h/db"));
  EXPECT_TRUE(is_postgres_target("postgres:///db?host=/tmp"));
  EXPECT_FALSE(is_postgres_target("/var/lib/zhi/audit.db"));
  EXPECT_FALSE(is_postgres_target("postgresql.db"));
  EXPECT_EQ(redact_target("postgresql://zhi:s3cret@db.example:5432/audit"),
            "postgresql://zhi:***@db.example:5432/audit");
  EXPECT_EQ(redact_target("postgresql:///audit?host=/tmp&password=s3cret&user=zhi"),
            "postgresql:///audit?host=/tmp&password=***&user=zhi");
  EXPECT_EQ(redact_target("audit.db"), "audit.db");
  // A server that is not there: a clear error naming the target, without its password.
  AuditLog::Options o;
  o.path = "postgresql://zhi:s3cret@/audit?host=/nonexistent-zhi-socket-dir";
  Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kIoError);
  EXPECT_NE(log.status().message().find("cannot connect"), std::string::npos);
  EXPECT_EQ(log.status().message().find("s3cret"), std::string::npos) << log.status().message();
  // Spool mode on PostgreSQL needs a local spool file.
  o.on_failure = AuditFailureMode::kSpool;
  EXPECT_EQ(AuditLog::open(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PgAudit, AppendsConcurrentlyExportsAndFinds) {
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(opts());
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 250; ++i)
          failures += !(*log)
                           ->append(record(std::to_string(t * 1000 + i), 0,
                                           i % 10 == 0 ? "refuse" : "allow"))
                           .ok();
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_TRUE((*log)->healthy());
  }
  Result<AuditStats> s = audit_stats(url_);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->records, 1000);
  EXPECT_EQ(s->by_decision["refuse"], 100);
  EXPECT_EQ(s->by_decision["allow"], 900);
  std::ostringstream out;
  Result<int64_t> n = audit_export_jsonl(url_, 0, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1000);
  EXPECT_EQ(out.str().find("input 1"), std::string::npos);  // hashes only
  EXPECT_NE(out.str().find(sha256_hex("input 3249")), std::string::npos);
  Result<std::optional<AuditRecord>> found = audit_find_produce_id(url_, "pid-2007");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->request_id, "2007");
  EXPECT_EQ((*found)->input_sha256, sha256_hex("input 2007"));
  EXPECT_TRUE((*found)->input_text.empty());
  EXPECT_FALSE(audit_find_produce_id(url_, "pid-none")->has_value());
}

TEST_F(PgAudit, RawTextRoundTripsWhenThePolicyAllowsIt) {
  AuditRecord r = record("raw");
  r.uid = "raw-uid-1";  // fixed, so appending it twice is a replay
  AuditSettings raw;
  raw.store_raw_text = true;
  set_audit_texts(raw, "用户的问题 'quoted' \\ \"x\"", "模型的回答", &r);
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(opts());
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->append(r).ok());
    ASSERT_TRUE((*log)->append(r).ok());  // same uid: stored once
  }
  EXPECT_EQ(count(url_), 1);
  Result<std::optional<AuditRecord>> found = audit_find_produce_id(url_, "pid-raw");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->input_text, "用户的问题 'quoted' \\ \"x\"");
  EXPECT_EQ((*found)->output_text, "模型的回答");
  EXPECT_GT((*found)->time_ms, 1700000000000);  // filled in at append
}

TEST_F(PgAudit, RetentionPurgeAndExportSince) {
  const int64_t day = 86400000, now = 1750000000000;
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(opts());
    ASSERT_TRUE(log.ok());
    for (int age : {400, 200, 184, 182, 30, 0})
      ASSERT_TRUE((*log)->append_async(record(std::to_string(age), now - age * day)).ok());
    ASSERT_TRUE((*log)->flush().ok());
  }
  std::ostringstream recent;
  ASSERT_EQ(audit_export_jsonl(url_, now - 31 * day, recent).value(), 2);
  EXPECT_LT(recent.str().find("\"request_id\":\"30\""), recent.str().find("\"request_id\":\"0\""));
  Result<int64_t> purged = audit_purge(url_, 183, now);  // six months
  ASSERT_TRUE(purged.ok()) << purged.status().to_string();
  EXPECT_EQ(*purged, 3);
  EXPECT_EQ(count(url_), 3);
  EXPECT_EQ(audit_stats(url_)->oldest_ms, now - 182 * day);
  EXPECT_EQ(audit_stats(url_)->newest_ms, now);
}

std::string run_cli(const std::string& args, int* rc) {
  const std::string cmd = zhi::testing::cli_path() + " " + args + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  const int status = f ? pclose(f) : -1;
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// `zhi audit` takes the connection string where it takes a SQLite file.
TEST_F(PgAudit, AuditCommandsTakeAConnectionString) {
  if (!std::filesystem::exists(zhi::testing::cli_path()))
    GTEST_SKIP() << "zhi binary not built at " << zhi::testing::cli_path();
  const int64_t day = 86400000, now = 1750000000000;
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(opts());
    ASSERT_TRUE(log.ok());
    for (int age : {300, 10, 0})
      ASSERT_TRUE((*log)->append(record(std::to_string(age), now - age * day)).ok());
  }
  int rc = 0;
  const std::string q = "'" + url_ + "'";
  std::string out = run_cli("audit stats --db " + q, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"records\":3"), std::string::npos) << out;
  out = run_cli("audit export --db " + q + " --since " + std::to_string(now - 20 * day), &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"request_id\":\"10\""), std::string::npos) << out;
  EXPECT_EQ(out.find("\"request_id\":\"300\""), std::string::npos) << out;
  out =
      run_cli("audit purge --db " + q + " --retention-days 183 --now " + std::to_string(now), &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"purged\":1"), std::string::npos) << out;
  EXPECT_EQ(count(url_), 2);
  // A server that is not there: a clear error, exit 1.
  out = run_cli("audit stats --db 'postgresql:///x?host=/nonexistent-zhi-dir'", &rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("cannot connect"), std::string::npos) << out;
}

// Holds an exclusive lock on the audit table from another connection: the log
// cannot write (lock_timeout), as when SQLite's database is locked.
class TableLock {
 public:
  explicit TableLock(const std::string& url) : c_(PQconnectdb(url.c_str())) {
    EXPECT_EQ(PQstatus(c_), CONNECTION_OK) << PQerrorMessage(c_);
    PQclear(PQexec(c_, "BEGIN"));
    PGresult* r = PQexec(c_, "LOCK TABLE audit IN EXCLUSIVE MODE");
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c_);
    PQclear(r);
  }
  ~TableLock() { release(); }
  void release() {
    if (c_) {
      PQclear(PQexec(c_, "COMMIT"));
      PQfinish(c_);
      c_ = nullptr;
    }
  }

 private:
  PGconn* c_;
};

TEST_F(PgAudit, FailClosedWhenTheTableCannotBeWritten) {
  AuditLog::Options o = opts();
  o.busy_timeout_ms = 100;
  Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  ASSERT_TRUE((*log)->append(record("before")).ok());
  {
    TableLock lock(url_);
    const Status st = (*log)->append(record("during"));
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.code(), StatusCode::kIoError);
    EXPECT_FALSE((*log)->healthy());  // the service must refuse requests now
  }
  ASSERT_TRUE((*log)->append(record("after")).ok());
  EXPECT_TRUE((*log)->healthy());
  log->reset();
  EXPECT_EQ(stored_request_ids(url_), (std::set<std::string>{"before", "after"}));
}

TEST_F(PgAudit, SpoolWhenTheTableCannotBeWrittenAndReplayLater) {
  AuditLog::Options o = opts();
  o.busy_timeout_ms = 100;
  o.on_failure = AuditFailureMode::kSpool;
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    TableLock lock(url_);
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE((*log)->append(record("spooled" + std::to_string(i))).ok());
    EXPECT_EQ((*log)->spooled(), 5u);
    EXPECT_TRUE((*log)->healthy());
    lock.release();
    ASSERT_TRUE((*log)->append(record("direct")).ok());  // a good write replays the spool
    EXPECT_EQ((*log)->spooled(), 0u);
  }
  EXPECT_EQ(count(url_), 6);
  EXPECT_EQ(std::filesystem::file_size(spool_), 0u);
}

// A child appends a burst of 10,000 decisions from 4 threads and reports each
// acknowledged request id on a pipe; the parent kills it with SIGKILL part way
// and checks that every acknowledged record is in the database.
TEST_F(PgAudit, KillNineLosesNothingAcknowledged) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    AuditLog::Options o = opts();
    o.on_failure = AuditFailureMode::kSpool;
    o.queue_capacity = 256;
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
    if (!log.ok()) _exit(2);
    std::mutex pipe_mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 2500; ++i) {
          const std::string id = std::to_string(t * 100000 + i);
          if (!(*log)->append(record(id)).ok()) continue;
          const std::string line = id + "\n";
          std::lock_guard<std::mutex> lk(pipe_mu);
          if (write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            _exit(3);
        }
      });
    }
    for (auto& th : threads) th.join();
    _exit(0);
  }
  close(fds[1]);
  std::set<std::string> acked;
  std::string buf;
  char chunk[4096];
  bool killed = false;
  while (true) {
    const ssize_t n = read(fds[0], chunk, sizeof(chunk));
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      acked.insert(buf.substr(0, nl));
      buf.erase(0, nl + 1);
    }
    if (!killed && acked.size() >= 3000) {
      kill(pid, SIGKILL);  // mid-burst
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(killed);
  EXPECT_TRUE(WIFSIGNALED(status));
  ASSERT_GE(acked.size(), 3000u);
  { ASSERT_TRUE(AuditLog::open(opts()).ok()); }  // recovery: replays any spool
  const std::set<std::string> stored = stored_request_ids(url_);
  size_t lost = 0;
  for (const std::string& id : acked) lost += stored.count(id) == 0;
  EXPECT_EQ(lost, 0u) << "of " << acked.size() << " acknowledged";
  EXPECT_LT(acked.size(), 10000u) << "the burst finished before the kill";
}

// A server of this test's own (it is stopped and started again), made by
// scripts/pg_test_server.sh in a fresh short directory under /tmp.
class PrivateServer {
 public:
  PrivateServer() {
    char tmpl[] = "/tmp/zhi-pgo.XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    script_ = zhi::testing::source_dir() + "/scripts/pg_test_server.sh";
    if (!sh("start")) return;
    FILE* f = popen((script_ + " url " + dir_).c_str(), "r");
    char line[512] = {0};
    if (f && fgets(line, sizeof(line), f)) url_ = line;
    if (f) pclose(f);
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == ' ')) url_.pop_back();
  }
  ~PrivateServer() {
    if (dir_.empty()) return;
    (void)sh("stop", "immediate");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool sh(const std::string& cmd, const std::string& arg = "") const {
    return std::system((script_ + " " + cmd + " " + dir_ + " " + arg + " >/dev/null").c_str()) == 0;
  }
  const std::string& url() const { return url_; }

 private:
  std::string dir_, script_, url_;
};

// The server goes down in the middle of a burst: in fail-closed mode appends
// fail (and the log says it is unhealthy) until it is back; in spool mode they
// are acknowledged from the spool and replayed once it is back. Either way
// every acknowledged record ends up in the database.
TEST(PgAuditOutage, ServerStoppedMidBurst) {
  ZHI_REQUIRE_PG();
  PrivateServer server;
  ASSERT_FALSE(server.url().empty()) << "scripts/pg_test_server.sh could not start a server";
  for (const AuditFailureMode mode : {AuditFailureMode::kFailClosed, AuditFailureMode::kSpool}) {
    const bool spool = mode == AuditFailureMode::kSpool;
    const std::string schema = spool ? "outage_spool" : "outage_closed";
    psql(server.url(), "CREATE SCHEMA " + schema);
    const std::string url = with_search_path(server.url(), schema);
    AuditLog::Options o;
    o.path = url;
    o.on_failure = mode;
    o.spool_path = zhi::testing::temp_dir() + "/" + schema + ".spool";
    std::filesystem::remove(o.spool_path);
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
    ASSERT_TRUE(log.ok()) << log.status().to_string();

    std::mutex mu;
    std::set<std::string> acked;
    std::atomic<int> attempts{0}, failed{0};
    std::atomic<bool> stop{false}, saw_unhealthy{false};
    std::thread burst([&] {
      for (int i = 0; !stop.load(); ++i) {
        const Status st = (*log)->append(record(schema + "-" + std::to_string(i)));
        ++attempts;
        if (st.ok()) {
          std::lock_guard<std::mutex> lk(mu);
          acked.insert(schema + "-" + std::to_string(i));
        } else {
          ++failed;
          if (!(*log)->healthy()) saw_unhealthy = true;
        }
      }
    });
    const auto acked_count = [&] {
      std::lock_guard<std::mutex> lk(mu);
      return acked.size();
    };
    // Bounded waits: a broken server must fail the test, not hang it (and no
    // ASSERT may return while the burst thread runs).
    const auto wait_until = [](const std::function<bool()>& done) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      return done();
    };
    EXPECT_TRUE(wait_until([&] { return acked_count() >= 100; }));
    EXPECT_TRUE(server.sh("stop", "immediate"));
    const int at_stop = attempts.load();
    // Appends while it is down.
    EXPECT_TRUE(wait_until([&] { return attempts.load() >= at_stop + 100; }));
    if (spool) {
      EXPECT_GT((*log)->spooled(), 0u);
      EXPECT_TRUE((*log)->healthy());
    } else {
      EXPECT_GT(failed.load(), 0);
      EXPECT_TRUE(saw_unhealthy.load());
    }
    EXPECT_TRUE(server.sh("start"));
    const size_t at_start = acked_count();
    // And after it is back.
    EXPECT_TRUE(wait_until([&] { return acked_count() >= at_start + 100; }));
    stop = true;
    burst.join();
    EXPECT_TRUE((*log)->healthy());
    log->reset();  // drains; replays whatever is still spooled
    if (spool) {
      EXPECT_EQ(failed.load(), 0);
      EXPECT_EQ(std::filesystem::file_size(o.spool_path), 0u);
    }
    const std::set<std::string> stored = stored_request_ids(url);
    size_t lost = 0;
    for (const std::string& id : acked) lost += stored.count(id) == 0;
    EXPECT_EQ(lost, 0u) << "of " << acked.size() << " acknowledged";
    // Nothing appears twice either: the uid is unique.
    EXPECT_EQ(count(url), static_cast<int64_t>(stored.size()));
  }

  // Down before the log opens: fail closed refuses to start; spool mode starts,
  // acknowledges from the spool, and replays once the server is back.
  const std::string url = with_search_path(server.url(), "outage_spool");
  ASSERT_TRUE(server.sh("stop", "immediate"));
  AuditLog::Options o;
  o.path = url;
  EXPECT_EQ(AuditLog::open(o).status().code(), StatusCode::kIoError);
  o.on_failure = AuditFailureMode::kSpool;
  o.spool_path = zhi::testing::temp_dir() + "/offline-start.spool";
  std::filesystem::remove(o.spool_path);
  const int64_t before = [&] {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
    EXPECT_TRUE(log.ok()) << log.status().to_string();
    if (!log.ok()) return int64_t{0};
    for (int i = 0; i < 10; ++i)
      EXPECT_TRUE((*log)->append(record("offline-" + std::to_string(i))).ok());
    EXPECT_EQ((*log)->spooled(), 10u);
    return int64_t{10};
  }();
  ASSERT_TRUE(server.sh("start"));
  { ASSERT_TRUE(AuditLog::open(o).ok()); }  // replays the spool at open
  const std::set<std::string> stored = stored_request_ids(url);
  for (int i = 0; i < before; ++i) EXPECT_EQ(stored.count("offline-" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(std::filesystem::file_size(o.spool_path), 0u);
}

}  // namespace
}  // namespace zhi::compliance
