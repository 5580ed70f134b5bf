// zhi audit export | purge | stats: read and maintain the compliance audit
// log (a SQLite file, or a PostgreSQL database named by a "postgresql://"
// connection string). Records hold SHA-256 of inputs and outputs, not the text.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "compliance/audit_log.h"
#include "compliance/policy_loader.h"

namespace zhi::cli {
namespace {

namespace cp = zhi::compliance;

constexpr const char* kDbHelp =
    "audit database: a SQLite file, or a PostgreSQL connection string (postgresql://...)";

struct AuditArgs {
  std::string db, since, format = "jsonl", output, policy, now;
  int retention_days = 0;
};

// "2025-09-01", "2025-09-01T08:00:00Z" (UTC) or milliseconds since the epoch.
Result<int64_t> parse_time(const std::string& flag, const std::string& s) {
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return std::stoll(s);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') {
    tm = std::tm{};
    end = strptime(s.c_str(), "%Y-%m-%d", &tm);
  }
  if (end == nullptr || *end != '\0')
    return invalid_argument(
        flag + ": expected YYYY-MM-DD, YYYY-MM-DDThh:mm:ssZ or milliseconds, got '" + s + "'");
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

int export_main(const AuditArgs& a) {
  if (a.format != "jsonl") return report(invalid_argument("--format: only jsonl is supported"));
  int64_t since = 0;
  if (!a.since.empty()) {
    Result<int64_t> t = parse_time("--since", a.since);
    if (!t.ok()) return report(t.status());
    since = *t;
  }
  std::ofstream file;
  if (!a.output.empty()) {
    file.open(a.output, std::ios::binary);
    if (!file) return report(io_error(a.output + ": cannot write"));
  }
  Result<int64_t> n = cp::audit_export_jsonl(a.db, since, a.output.empty() ? std::cout : file);
  if (!n.ok()) return report(n.status());
  std::fprintf(stderr, "zhi audit export: %lld records\n", static_cast<long long>(*n));
  return 0;
}

int purge_main(const AuditArgs& a) {
  int days = a.retention_days;
  if (!a.policy.empty()) {
    Result<cp::PolicyPack> pack = cp::load_policy_pack(a.policy);
    if (!pack.ok()) return report(pack.status());
    if (days == 0) days = pack->audit.retention_days;
  }
  if (days <= 0)
    return report(
        invalid_argument("give --policy DIR (its audit.retention_days) or --retention-days N"));
  int64_t now = cp::now_ms();
  if (!a.now.empty()) {
    Result<int64_t> t = parse_time("--now", a.now);
    if (!t.ok()) return report(t.status());
    now = *t;
  }
  Result<int64_t> n = cp::audit_purge(a.db, days, now);
  if (!n.ok()) return report(n.status());
  nlohmann::ordered_json j;
  j["purged"] = *n;
  j["retention_days"] = days;
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

int stats_main(const AuditArgs& a) {
  Result<cp::AuditStats> s = cp::audit_stats(a.db);
  if (!s.ok()) return report(s.status());
  nlohmann::ordered_json j;
  j["records"] = s->records;
  j["oldest_ms"] = s->oldest_ms;
  j["newest_ms"] = s->newest_ms;
  j["by_decision"] = s->by_decision;
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace

Command add_audit_command(CLI::App& app) {
  auto a = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand(
      "audit", "compliance audit log (SQLite or PostgreSQL): export, purge, stats");
  cmd->require_subcommand(1);
  CLI::App* exp = cmd->add_subcommand("export", "write records as JSON lines, oldest first");
  exp->add_option("--db", a->db, kDbHelp)->required();
  exp->add_option("--since", a->since,
                  "only records at or after: YYYY-MM-DD, YYYY-MM-DDThh:mm:ssZ or ms");
  exp->add_option("--format", a->format, "jsonl");
  exp->add_option("-o,--output", a->output, "write to a file instead of stdout");
  CLI::App* purge = cmd->add_subcommand("purge", "delete records older than the retention period");
  purge->add_option("--db", a->db, kDbHelp)->required();
  purge->add_option("--policy", a->policy, "policy pack whose audit.retention_days applies");
  purge->add_option("--retention-days", a->retention_days, "retention in days (overrides the pack)")
      ->check(CLI::Range(1, 36500));
  purge->add_option("--now", a->now,
                    "purge as of this time instead of now (for tests and backfills)");
  CLI::App* stats = cmd->add_subcommand("stats", "record count, time range and decisions");
  stats->add_option("--db", a->db, kDbHelp)->required();
  return {cmd, [a, exp, purge] {
            if (exp->parsed()) return export_main(*a);
            if (purge->parsed()) return purge_main(*a);
            return stats_main(*a);
          }};
}

}  // namespace zhi::cli
