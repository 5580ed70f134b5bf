#include "features/eval/eval_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>

#include "features/eval/text_measure.h"

namespace zhi::features::eval {
namespace {

using nlohmann::json;

void add(FeatureStats& st, const CaseScore& c) {
  ++st.cases;
  st.passed += c.pass;
  st.errors += !c.error.empty();
  st.seconds += c.seconds;
  for (const CheckResult& r : c.checks) {
    st.score_sum[r.name] += r.score;
    ++st.score_n[r.name];
  }
}

// Strings from a feature or a model may hold any bytes; the report must still dump.
json clean(const json& j) {
  if (j.is_string()) return valid_utf8(j.get_ref<const std::string&>());
  if (j.is_array()) {
    json out = json::array();
    for (const json& e : j) out.push_back(clean(e));
    return out;
  }
  if (j.is_object()) {
    json out = json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[valid_utf8(it.key())] = clean(it.value());
    return out;
  }
  return j;
}

size_t feature_rank(const std::string& f) {
  const auto it = std::find(std::begin(kFeatures), std::end(kFeatures), f);
  return static_cast<size_t>(it - std::begin(kFeatures));
}

json stats_json(const FeatureStats& st) {
  json means = json::object();
  for (const auto& [name, n] : st.score_n) means[name] = st.mean_score(name);
  return {{"feature", st.feature},
          {"lang", st.lang},
          {"cases", st.cases},
          {"passed", st.passed},
          {"pass_rate", st.pass_rate()},
          {"errors", st.errors},
          {"mean_seconds", st.mean_seconds()},
          {"mean_scores", means}};
}

}  // namespace

double FeatureStats::mean_score(const std::string& check) const {
  const auto n = score_n.find(check);
  if (n == score_n.end() || n->second == 0) return 0.0;
  return score_sum.at(check) / static_cast<double>(n->second);
}

void summarize(EvalReport& report) {
  std::map<std::pair<size_t, std::string>, FeatureStats> rows;
  report.total = FeatureStats{};
  report.total.feature = "all";
  report.total.lang = "all";
  for (const CaseScore& c : report.cases) {
    FeatureStats& st = rows[{feature_rank(c.feature), c.lang}];
    st.feature = c.feature;
    st.lang = c.lang;
    add(st, c);
    add(report.total, c);
  }
  report.rows.clear();
  for (auto& [key, st] : rows) report.rows.push_back(std::move(st));
}

EvalReport run_eval(const std::vector<EvalCase>& cases,
                    const std::function<json(const EvalCase&)>& run_feature,
                    const std::function<void(size_t, size_t)>& progress) {
  EvalReport report;
  report.cases.reserve(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const EvalCase& c = cases[i];
    const auto t0 = std::chrono::steady_clock::now();
    CaseScore s;
    std::string failure;
    json out;
    bool answered = false;
    try {
      out = run_feature(c);
      answered = true;
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (answered) {
      // Cases from load_cases are validated; one built by hand may still hold
      // checks of the wrong type, which fails that case, not the run.
      try {
        s = score_case(c, out);
      } catch (const std::exception& e) {
        answered = false;
        failure = std::string("cannot score the case: ") + e.what();
      }
    }
    if (!answered) {
      s.id = c.id;
      s.feature = c.feature;
      s.lang = c.lang;
      s.error = failure.empty() ? std::string("failed") : failure;
      CheckResult r;
      r.name = "answered";
      r.detail = s.error;
      s.checks.push_back(r);
    }
    s.seconds = secs;
    report.cases.push_back(std::move(s));
    if (progress) progress(i + 1, cases.size());
  }
  summarize(report);
  return report;
}

void print_table(const EvalReport& report, std::ostream& out) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%-15s %-4s %5s %6s %6s %6s %8s  %s\n", "feature", "lang",
                "cases", "passed", "pass%", "errors", "mean s", "mean check scores");
  out << buf;
  const auto row = [&](const FeatureStats& st, bool with_checks) {
    std::snprintf(buf, sizeof(buf), "%-15s %-4s %5zu %6zu %6.1f %6zu %8.2f", st.feature.c_str(),
                  st.lang.c_str(), st.cases, st.passed, 100.0 * st.pass_rate(), st.errors,
                  st.mean_seconds());
    out << buf;
    if (with_checks) {
      bool first = true;
      for (const auto& [name, n] : st.score_n) {
        std::snprintf(buf, sizeof(buf), "%s%s %.2f", first ? "  " : ", ", name.c_str(),
                      st.mean_score(name));
        out << buf;
        first = false;
      }
    }
    out << '\n';
  };
  for (const FeatureStats& st : report.rows) row(st, true);
  row(report.total, false);
  size_t failed = 0;
  for (const CaseScore& c : report.cases) failed += !c.pass;
  if (failed) {
    out << "\nfailed cases:\n";
    for (const CaseScore& c : report.cases) {
      if (c.pass) continue;
      out << "  " << c.id << " (" << c.feature << ", " << c.lang << "):";
      if (!c.error.empty()) {
        out << " " << c.error;
      } else {
        for (const CheckResult& r : c.checks)
          if (!r.pass) out << " [" << r.name << ": " << r.detail << "]";
      }
      out << '\n';
    }
  }
}

json to_json(const EvalReport& report) {
  json rows = json::array();
  for (const FeatureStats& st : report.rows) rows.push_back(stats_json(st));
  json cases = json::array();
  for (const CaseScore& c : report.cases) {
    json checks = json::array();
    for (const CheckResult& r : c.checks)
      checks.push_back({{"name", r.name},
                        {"pass", r.pass},
                        {"score", r.score},
                        {"value", r.value},
                        {"detail", valid_utf8(r.detail)}});
    cases.push_back({{"id", c.id},
                     {"feature", c.feature},
                     {"lang", c.lang},
                     {"pass", c.pass},
                     {"error", valid_utf8(c.error)},
                     {"seconds", c.seconds},
                     {"output", clean(c.output)},
                     {"checks", checks}});
  }
  return {{"total", stats_json(report.total)}, {"rows", rows}, {"cases", cases}};
}

}  // namespace zhi::features::eval
