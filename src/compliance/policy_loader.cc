#include "compliance/policy_loader.h"

#include <set>

#include "compliance/gbt45654.h"
#include "compliance/json_fields.h"
#include "compliance/regex_set.h"
#include "compliance/term_file.h"
#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

constexpr const char* kFormat = "zhi-policy/1";

bool is_slug(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// A path inside the pack: relative, and never climbing out of it.
Status pack_path(const JsonFields& f, const char* key, const std::string& dir,
                 const std::string& rel, std::string* out) {
  if (rel.empty() || rel[0] == '/' || rel.find("..") != std::string::npos)
    return f.error(key, "'" + rel + "' must be a relative path inside the pack");
  *out = dir + "/" + rel;
  return Status();
}

bool has_cjk(const FoldedTerm& t) {
  for (char32_t c : t.chars) {
    if (is_cjk_like(c)) return true;
  }
  return false;
}

struct Loader {
  PolicyPack& pack;

  Status identity(const JsonFields& root) {
    const nlohmann::json* obj = nullptr;
    ZHI_RETURN_IF_ERROR(root.object("identity", &obj, true));
    JsonFields f(*src, *obj, root.child("identity"));
    ZHI_RETURN_IF_ERROR(f.only({"region", "version", "provider"}));
    ZHI_RETURN_IF_ERROR(f.string("region", &pack.identity.region, true));
    if (!is_slug(pack.identity.region))
      return f.error("region", "region must be lower-case letters, digits or '-'");
    ZHI_RETURN_IF_ERROR(f.string("version", &pack.identity.version, true));
    if (pack.identity.version.empty()) return f.error("version", "version must not be empty");
    const nlohmann::json* prov = nullptr;
    ZHI_RETURN_IF_ERROR(f.object("provider", &prov, true));
    JsonFields p(*src, *prov, f.child("provider"));
    ZHI_RETURN_IF_ERROR(p.only({"name", "code"}));
    ZHI_RETURN_IF_ERROR(p.string("name", &pack.identity.provider_name, true));
    ZHI_RETURN_IF_ERROR(p.string("code", &pack.identity.provider_code, true));
    if (pack.identity.provider_code.empty())
      return p.error("code", "provider code must not be empty");
    return Status();
  }

  Status normalization(const JsonFields& root) {
    if (!root.has("normalization")) return Status();
    const nlohmann::json* obj = nullptr;
    ZHI_RETURN_IF_ERROR(root.object("normalization", &obj, true));
    JsonFields f(*src, *obj, root.child("normalization"));
    ZHI_RETURN_IF_ERROR(f.only({"max_gap", "clause_breaks"}));
    long gap = pack.normalization.max_gap;
    ZHI_RETURN_IF_ERROR(f.integer("max_gap", 0, 16, &gap, false));
    pack.normalization.max_gap = static_cast<uint32_t>(gap);
    if (f.has("clause_breaks")) {
      std::string breaks;
      ZHI_RETURN_IF_ERROR(f.string("clause_breaks", &breaks, true));
      pack.normalization.clause_breaks.clear();
      const auto* p = reinterpret_cast<const unsigned char*>(breaks.data());
      for (size_t i = 0; i < breaks.size();) {
        const Decoded d = decode_utf8(p + i, breaks.size() - i);
        if (d.cp == kReplacementChar && d.len == 1)
          return f.error("clause_breaks", "clause_breaks is not valid UTF-8");
        pack.normalization.clause_breaks.push_back(d.cp);
        i += d.len;
      }
    }
    return Status();
  }

  Status audit(const JsonFields& root) {
    if (!root.has("audit")) return Status();
    const nlohmann::json* obj = nullptr;
    ZHI_RETURN_IF_ERROR(root.object("audit", &obj, true));
    JsonFields f(*src, *obj, root.child("audit"));
    ZHI_RETURN_IF_ERROR(f.only({"retention_days", "store_raw_text", "on_write_failure"}));
    long days = pack.audit.retention_days;
    ZHI_RETURN_IF_ERROR(f.integer("retention_days", 1, 36500, &days, false));
    pack.audit.retention_days = static_cast<int>(days);
    ZHI_RETURN_IF_ERROR(f.boolean("store_raw_text", &pack.audit.store_raw_text, false));
    std::string mode = "fail_closed";
    ZHI_RETURN_IF_ERROR(f.string("on_write_failure", &mode, false));
    if (mode == "fail_closed")
      pack.audit.on_write_failure = AuditFailureMode::kFailClosed;
    else if (mode == "spool")
      pack.audit.on_write_failure = AuditFailureMode::kSpool;
    else
      return f.error("on_write_failure", "on_write_failure must be 'fail_closed' or 'spool'");
    return Status();
  }

  Status taxonomy(const std::string& path) {
    ZHI_ASSIGN_OR_RETURN(JsonSource t, JsonSource::read(path));
    JsonFields root(t, t.root(), "");
    ZHI_RETURN_IF_ERROR(root.is_object("the taxonomy"));
    ZHI_RETURN_IF_ERROR(root.only({"standard", "classes", "categories"}));
    ZHI_RETURN_IF_ERROR(root.string("standard", &pack.standard, false));
    const nlohmann::json* classes = nullptr;
    ZHI_RETURN_IF_ERROR(root.array("classes", &classes, true));
    for (size_t i = 0; i < classes->size(); ++i) {
      JsonFields f(t, (*classes)[i], "/classes/" + std::to_string(i));
      ZHI_RETURN_IF_ERROR(f.is_object("a class"));
      ZHI_RETURN_IF_ERROR(f.only({"id", "name", "refusal"}));
      RiskClass c;
      ZHI_RETURN_IF_ERROR(f.string("id", &c.id, true));
      for (const RiskClass& o : pack.classes) {
        if (o.id == c.id) return f.error("id", "duplicate class id '" + c.id + "'");
      }
      ZHI_RETURN_IF_ERROR(f.localized("name", &c.name, true));
      ZHI_RETURN_IF_ERROR(f.localized("refusal", &c.refusal, true));
      pack.classes.push_back(std::move(c));
    }
    const nlohmann::json* cats = nullptr;
    ZHI_RETURN_IF_ERROR(root.array("categories", &cats, true));
    std::set<std::string> names;
    for (size_t i = 0; i < cats->size(); ++i) {
      JsonFields f(t, (*cats)[i], "/categories/" + std::to_string(i));
      ZHI_RETURN_IF_ERROR(f.is_object("a category"));
      ZHI_RETURN_IF_ERROR(f.only({"id", "slug", "class", "name", "action", "refusal"}));
      Category c;
      ZHI_RETURN_IF_ERROR(f.string("id", &c.id, true));
      ZHI_RETURN_IF_ERROR(f.string("slug", &c.slug, true));
      if (!is_slug(c.slug))
        return f.error("slug", "slug '" + c.slug + "' must be lower-case letters, digits or '-'");
      if (!names.insert(c.id).second)
        return f.error("id", "duplicate category id or slug '" + c.id + "'");
      if (c.slug != c.id && !names.insert(c.slug).second)
        return f.error("slug", "duplicate category id or slug '" + c.slug + "'");
      ZHI_RETURN_IF_ERROR(f.string("class", &c.class_id, true));
      const RiskClass* cls = nullptr;
      for (const RiskClass& o : pack.classes) {
        if (o.id == c.class_id) cls = &o;
      }
      if (cls == nullptr) return f.error("class", "unknown class '" + c.class_id + "'");
      ZHI_RETURN_IF_ERROR(f.localized("name", &c.name, true));
      std::string action;
      ZHI_RETURN_IF_ERROR(f.string("action", &action, true));
      if (!parse_action(action, &c.action))
        return f.error("action", "unknown action '" + action + "' (expected refuse, mask or flag)");
      c.refusal = cls->refusal;
      ZHI_RETURN_IF_ERROR(f.localized("refusal", &c.refusal, false));
      pack.categories.push_back(std::move(c));
    }
    if (pack.standard == kGbt45654) {
      for (const RiskClassShape& shape : kGbt45654Classes) {
        bool found = false;
        for (const RiskClass& c : pack.classes) found = found || c.id == shape.id;
        if (!found)
          return root.error("classes",
                            std::string(kGbt45654) + " class " + shape.id + " is missing");
      }
      for (const std::string& id : gbt45654_risk_ids()) {
        const int at = pack.find_category(id);
        if (at < 0)
          return root.error("categories", std::string(kGbt45654) + " risk " + id + " is missing");
        if (pack.categories[at].class_id != id.substr(0, 2))
          return t.error("/categories/" + std::to_string(at) + "/class",
                         "risk " + id + " belongs to class " + id.substr(0, 2));
      }
    } else if (!pack.standard.empty()) {
      return root.error("standard", "unknown standard '" + pack.standard + "' (expected '" +
                                        kGbt45654 + "' or none)");
    }
    if (pack.categories.empty()) return root.error("categories", "no categories defined");
    return Status();
  }

  Status labels(const std::string& path) {
    ZHI_ASSIGN_OR_RETURN(JsonSource t, JsonSource::read(path));
    JsonFields root(t, t.root(), "");
    ZHI_RETURN_IF_ERROR(root.is_object("the label settings"));
    ZHI_RETURN_IF_ERROR(root.only({"explicit", "implicit"}));
    LabelSettings& l = pack.labels;
    const nlohmann::json* ex = nullptr;
    ZHI_RETURN_IF_ERROR(root.object("explicit", &ex, true));
    JsonFields e(t, *ex, "/explicit");
    ZHI_RETURN_IF_ERROR(e.only({"enabled", "position", "text"}));
    ZHI_RETURN_IF_ERROR(e.boolean("enabled", &l.explicit_enabled, true));
    std::string pos = "end";
    ZHI_RETURN_IF_ERROR(e.string("position", &pos, false));
    if (pos == "start")
      l.position = LabelPosition::kStart;
    else if (pos == "end")
      l.position = LabelPosition::kEnd;
    else
      return e.error("position", "position must be 'start' or 'end'");
    ZHI_RETURN_IF_ERROR(e.localized("text", &l.explicit_text, false));
    const nlohmann::json* im = nullptr;
    ZHI_RETURN_IF_ERROR(root.object("implicit", &im, true));
    JsonFields m(t, *im, "/implicit");
    ZHI_RETURN_IF_ERROR(m.only(
        {"enabled", "content_producer", "content_propagator", "reserved_code1", "reserved_code2"}));
    ZHI_RETURN_IF_ERROR(m.boolean("enabled", &l.implicit_enabled, true));
    l.content_producer = pack.identity.provider_code;
    ZHI_RETURN_IF_ERROR(m.string("content_producer", &l.content_producer, false));
    ZHI_RETURN_IF_ERROR(m.string("content_propagator", &l.content_propagator, false));
    ZHI_RETURN_IF_ERROR(m.string("reserved_code1", &l.reserved_code1, false));
    ZHI_RETURN_IF_ERROR(m.string("reserved_code2", &l.reserved_code2, false));
    if (l.content_producer.empty())
      return m.error("content_producer", "content_producer must not be empty");
    return Status();
  }

  Status routing(const std::string& path) {
    ZHI_ASSIGN_OR_RETURN(JsonSource t, JsonSource::read(path));
    JsonFields root(t, t.root(), "");
    ZHI_RETURN_IF_ERROR(root.is_object("the routing rules"));
    ZHI_RETURN_IF_ERROR(root.only(
        {"require_domestic", "providers", "features", "languages", "rollout", "launch_date"}));
    RoutingRules& r = pack.routing;
    ZHI_RETURN_IF_ERROR(root.boolean("require_domestic", &r.require_domestic, true));
    const nlohmann::json* provs = nullptr;
    ZHI_RETURN_IF_ERROR(root.array("providers", &provs, true));
    for (size_t i = 0; i < provs->size(); ++i) {
      JsonFields f(t, (*provs)[i], "/providers/" + std::to_string(i));
      ZHI_RETURN_IF_ERROR(f.is_object("a provider"));
      ZHI_RETURN_IF_ERROR(f.only({"id", "kind", "endpoint", "domestic", "enabled"}));
      ProviderRule p;
      ZHI_RETURN_IF_ERROR(f.string("id", &p.id, true));
      for (const ProviderRule& o : r.providers) {
        if (o.id == p.id) return f.error("id", "duplicate provider id '" + p.id + "'");
      }
      ZHI_RETURN_IF_ERROR(f.string("kind", &p.kind, true));
      if (p.kind != "local" && p.kind != "cloud" && p.kind != "extension")
        return f.error("kind", "kind must be 'local', 'cloud' or 'extension'");
      ZHI_RETURN_IF_ERROR(f.string("endpoint", &p.endpoint, p.kind == "cloud"));
      ZHI_RETURN_IF_ERROR(f.boolean("domestic", &p.domestic, true));
      ZHI_RETURN_IF_ERROR(f.boolean("enabled", &p.enabled, true));
      if (r.require_domestic && p.enabled && !p.domestic)
        return f.error(
            "enabled",
            "provider '" + p.id + "' is not domestic and this region requires domestic providers");
      r.providers.push_back(std::move(p));
    }
    const nlohmann::json* feats = nullptr;
    ZHI_RETURN_IF_ERROR(root.object("features", &feats, false));
    if (feats) {
      for (auto it = feats->begin(); it != feats->end(); ++it) {
        if (!it.value().is_boolean())
          return t.error("/features/" + it.key(), "feature switches must be true or false");
        r.features[it.key()] = it.value().get<bool>();
      }
    }
    const nlohmann::json* langs = nullptr;
    ZHI_RETURN_IF_ERROR(root.array("languages", &langs, true));
    for (size_t i = 0; i < langs->size(); ++i) {
      if (!(*langs)[i].is_string())
        return t.error("/languages/" + std::to_string(i), "languages must be strings");
      r.languages.push_back((*langs)[i].get<std::string>());
    }
    const nlohmann::json* roll = nullptr;
    ZHI_RETURN_IF_ERROR(root.object("rollout", &roll, true));
    JsonFields ro(t, *roll, "/rollout");
    ZHI_RETURN_IF_ERROR(ro.only({"enabled", "percent"}));
    ZHI_RETURN_IF_ERROR(ro.boolean("enabled", &r.rollout_enabled, true));
    long pct = 100;
    ZHI_RETURN_IF_ERROR(ro.integer("percent", 0, 100, &pct, false));
    r.rollout_percent = static_cast<int>(pct);
    ZHI_RETURN_IF_ERROR(root.string("launch_date", &r.launch_date, true));
    if (!is_date(r.launch_date)) return root.error("launch_date", "launch_date must be YYYY-MM-DD");
    return Status();
  }

  Status term_lists(const JsonFields& root) {
    const nlohmann::json* lists = nullptr;
    ZHI_RETURN_IF_ERROR(root.array("term_lists", &lists, false));
    if (lists == nullptr) return Status();
    for (size_t i = 0; i < lists->size(); ++i) {
      JsonFields f(*src, (*lists)[i], "/term_lists/" + std::to_string(i));
      ZHI_RETURN_IF_ERROR(f.is_object("a term list reference"));
      ZHI_RETURN_IF_ERROR(f.only({"file", "category", "mode"}));
      std::string file, path, category, mode_name = "auto";
      ZHI_RETURN_IF_ERROR(f.string("file", &file, true));
      ZHI_RETURN_IF_ERROR(pack_path(f, "file", pack.dir, file, &path));
      ZHI_RETURN_IF_ERROR(f.string("mode", &mode_name, false));
      MatchMode mode;
      if (!parse_match_mode(mode_name, &mode))
        return f.error(
            "mode", "unknown mode '" + mode_name + "' (expected auto, substring, word or regex)");
      const bool json = path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0;
      ZHI_RETURN_IF_ERROR(f.string("category", &category, !json));
      if (!category.empty() && pack.find_category(category) < 0)
        return f.error("category", "unknown category '" + category + "'");
      if (json) {
        if (f.has("mode") || f.has("category"))
          return f.error(nullptr, "a .json term list names its own category and mode");
        ZHI_RETURN_IF_ERROR(json_term_list(path));
      } else {
        ZHI_RETURN_IF_ERROR(add_term_file(pack, path, category, mode));
      }
    }
    return Status();
  }

  Status json_term_list(const std::string& path) {
    ZHI_ASSIGN_OR_RETURN(JsonSource t, JsonSource::read(path));
    JsonFields root(t, t.root(), "");
    ZHI_RETURN_IF_ERROR(root.is_object("a term list"));
    ZHI_RETURN_IF_ERROR(root.only({"category", "mode", "terms"}));
    std::string category, mode_name = "auto";
    ZHI_RETURN_IF_ERROR(root.string("category", &category, true));
    const int cat = pack.find_category(category);
    if (cat < 0) return root.error("category", "unknown category '" + category + "'");
    ZHI_RETURN_IF_ERROR(root.string("mode", &mode_name, false));
    MatchMode list_mode;
    if (!parse_match_mode(mode_name, &list_mode))
      return root.error(
          "mode", "unknown mode '" + mode_name + "' (expected auto, substring, word or regex)");
    const nlohmann::json* terms = nullptr;
    ZHI_RETURN_IF_ERROR(root.array("terms", &terms, true));
    const std::vector<size_t> lines = t.element_lines("/terms");
    for (size_t i = 0; i < terms->size(); ++i) {
      const nlohmann::json& e = (*terms)[i];
      const std::string source =
          path + ":" + std::to_string(i < lines.size() ? lines[i] : t.line_of("/terms"));
      MatchMode mode = list_mode;
      std::string text;
      if (e.is_string()) {
        text = e.get<std::string>();
      } else if (e.is_object()) {
        JsonFields f(t, e, "/terms/" + std::to_string(i));
        ZHI_RETURN_IF_ERROR(f.only({"term", "mode"}));
        ZHI_RETURN_IF_ERROR(f.string("term", &text, true));
        std::string m;
        ZHI_RETURN_IF_ERROR(f.string("mode", &m, false));
        if (!m.empty() && !parse_match_mode(m, &mode))
          return f.error("mode",
                         "unknown mode '" + m + "' (expected auto, substring, word or regex)");
      } else {
        return corrupt_file(source + ": a term must be a string or {\"term\", \"mode\"}");
      }
      ZHI_RETURN_IF_ERROR(add_term(pack, text, mode, static_cast<uint32_t>(cat), source));
    }
    return Status();
  }

  Status allow_lists(const JsonFields& root) {
    const nlohmann::json* lists = nullptr;
    ZHI_RETURN_IF_ERROR(root.array("allow_lists", &lists, false));
    if (lists == nullptr) return Status();
    for (size_t i = 0; i < lists->size(); ++i) {
      JsonFields f(*src, (*lists)[i], "/allow_lists/" + std::to_string(i));
      ZHI_RETURN_IF_ERROR(f.is_object("an allow list reference"));
      ZHI_RETURN_IF_ERROR(f.only({"file"}));
      std::string file, path;
      ZHI_RETURN_IF_ERROR(f.string("file", &file, true));
      ZHI_RETURN_IF_ERROR(pack_path(f, "file", pack.dir, file, &path));
      ZHI_RETURN_IF_ERROR(add_allow_file(pack, path));
    }
    return Status();
  }

  const JsonSource* src = nullptr;
};

}  // namespace

Status add_term(PolicyPack& pack, const std::string& text, MatchMode mode, uint32_t category,
                std::string source) {
  Term t;
  t.text = text;
  t.category = category;
  if (mode == MatchMode::kRegex) {
    if (Status st = check_regex(text); !st.ok()) return corrupt_file(source + ": " + st.message());
  } else {
    const Result<const FoldTable*> table = FoldTable::instance();
    if (!table.ok()) return table.status();
    Result<FoldedTerm> folded = fold_term(**table, text);
    if (!folded.ok()) return corrupt_file(source + ": " + folded.status().message());
    t.folded = std::move(folded).value();
    if (mode == MatchMode::kAuto)
      mode = has_cjk(t.folded) ? MatchMode::kSubstring : MatchMode::kWord;
  }
  t.mode = mode;
  t.source = std::move(source);
  pack.terms.push_back(std::move(t));
  return Status();
}

Status add_term_file(PolicyPack& pack, const std::string& path, std::string_view category,
                     MatchMode mode) {
  const int cat = pack.find_category(category);
  if (cat < 0)
    return invalid_argument("unknown category '" + std::string(category) + "' for " + path);
  ZHI_ASSIGN_OR_RETURN(std::vector<TermLine> lines, read_term_file(path));
  for (const TermLine& l : lines) {
    ZHI_RETURN_IF_ERROR(add_term(pack, l.text, mode, static_cast<uint32_t>(cat),
                                 path + ":" + std::to_string(l.line)));
  }
  return Status();
}

Status add_allow_file(PolicyPack& pack, const std::string& path) {
  ZHI_ASSIGN_OR_RETURN(std::vector<TermLine> lines, read_term_file(path));
  ZHI_ASSIGN_OR_RETURN(const FoldTable* table, FoldTable::instance());
  for (const TermLine& l : lines) {
    const std::string source = path + ":" + std::to_string(l.line);
    Result<FoldedTerm> folded = fold_term(*table, l.text);
    if (!folded.ok()) return corrupt_file(source + ": " + folded.status().message());
    pack.allow.push_back({l.text, source, std::move(folded).value()});
  }
  return Status();
}

Result<PolicyPack> load_policy_pack(const std::string& dir) {
  PolicyPack pack;
  pack.dir = dir;
  while (pack.dir.size() > 1 && pack.dir.back() == '/') pack.dir.pop_back();
  ZHI_ASSIGN_OR_RETURN(JsonSource src, JsonSource::read(pack.dir + "/pack.json"));
  Loader l{pack};
  l.src = &src;
  JsonFields root(src, src.root(), "");
  ZHI_RETURN_IF_ERROR(root.is_object("pack.json"));
  ZHI_RETURN_IF_ERROR(root.only({"format", "identity", "default_language", "normalization", "audit",
                                 "taxonomy", "labels", "routing", "term_lists", "allow_lists"}));
  std::string format;
  ZHI_RETURN_IF_ERROR(root.string("format", &format, true));
  if (format != kFormat)
    return root.error("format", "unsupported format '" + format + "' (expected '" + kFormat + "')");
  ZHI_RETURN_IF_ERROR(l.identity(root));
  ZHI_RETURN_IF_ERROR(root.string("default_language", &pack.default_language, false));
  if (pack.default_language != "zh-CN" && pack.default_language != "en")
    return root.error("default_language", "default_language must be 'zh-CN' or 'en'");
  ZHI_RETURN_IF_ERROR(l.normalization(root));
  ZHI_RETURN_IF_ERROR(l.audit(root));
  std::string file, path;
  ZHI_RETURN_IF_ERROR(root.string("taxonomy", &file, true));
  ZHI_RETURN_IF_ERROR(pack_path(root, "taxonomy", pack.dir, file, &path));
  ZHI_RETURN_IF_ERROR(l.taxonomy(path));
  pack.labels.content_producer = pack.identity.provider_code;
  if (root.has("labels")) {
    ZHI_RETURN_IF_ERROR(root.string("labels", &file, true));
    ZHI_RETURN_IF_ERROR(pack_path(root, "labels", pack.dir, file, &path));
    ZHI_RETURN_IF_ERROR(l.labels(path));
  }
  if (root.has("routing")) {
    ZHI_RETURN_IF_ERROR(root.string("routing", &file, true));
    ZHI_RETURN_IF_ERROR(pack_path(root, "routing", pack.dir, file, &path));
    ZHI_RETURN_IF_ERROR(l.routing(path));
  }
  ZHI_RETURN_IF_ERROR(l.term_lists(root));
  ZHI_RETURN_IF_ERROR(l.allow_lists(root));
  return pack;
}

}  // namespace zhi::compliance
