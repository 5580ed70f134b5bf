#include "compliance/aigc_label.h"

#include <ctime>
#include <random>

namespace zhi::compliance {
namespace {

constexpr const char* kFrontMatter = "---\n";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\n' || s[b] == '\r' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '\r' || s[e - 1] == '\t'))
    --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::string new_produce_id() {
  std::random_device rd;  // the OS entropy source: ids must not collide across processes
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  std::string id = stamp;
  id += '-';
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < 4; ++i) {
    const uint32_t r = rd();
    for (int k = 0; k < 8; ++k) id += kHex[(r >> (4 * k)) & 15];
  }
  return id;
}

AigcMetadata make_aigc_metadata(const LabelSettings& labels, std::string produce_id) {
  AigcMetadata m;
  m.content_producer = labels.content_producer;
  m.produce_id = std::move(produce_id);
  m.reserved_code1 = labels.reserved_code1;
  m.content_propagator = labels.content_propagator;
  m.reserved_code2 = labels.reserved_code2;
  return m;
}

nlohmann::ordered_json aigc_json(const AigcMetadata& m) {
  nlohmann::ordered_json a;
  a["Label"] = m.label;
  a["ContentProducer"] = m.content_producer;
  a["ProduceID"] = m.produce_id;
  a["ReservedCode1"] = m.reserved_code1;
  a["ContentPropagator"] = m.content_propagator;
  a["PropagateID"] = m.propagate_id;
  a["ReservedCode2"] = m.reserved_code2;
  nlohmann::ordered_json j;
  j["AIGC"] = std::move(a);
  return j;
}

Result<AigcMetadata> parse_aigc_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("AIGC") || !j["AIGC"].is_object())
    return corrupt_file("no \"AIGC\" object (implicit label)");
  const nlohmann::json& a = j["AIGC"];
  AigcMetadata m;
  const std::pair<const char*, std::string*> fields[] = {
      {"Label", &m.label},
      {"ContentProducer", &m.content_producer},
      {"ProduceID", &m.produce_id},
      {"ReservedCode1", &m.reserved_code1},
      {"ContentPropagator", &m.content_propagator},
      {"PropagateID", &m.propagate_id},
      {"ReservedCode2", &m.reserved_code2},
  };
  for (const auto& [key, out] : fields) {
    if (!a.contains(key)) {
      out->clear();
      continue;
    }
    if (!a[key].is_string()) return corrupt_file(std::string("AIGC.") + key + " must be a string");
    *out = a[key].get<std::string>();
  }
  if (m.label != "1") return corrupt_file("AIGC.Label is '" + m.label + "', expected \"1\"");
  if (m.content_producer.empty()) return corrupt_file("AIGC.ContentProducer is missing or empty");
  if (m.produce_id.empty()) return corrupt_file("AIGC.ProduceID is missing or empty");
  return m;
}

std::string add_explicit_label(const LabelSettings& labels, std::string_view text,
                               std::string_view language) {
  if (!labels.explicit_enabled) return std::string(text);
  const std::string& label = labels.explicit_text.in(language);
  if (labels.position == LabelPosition::kStart) return "【" + label + "】\n" + std::string(text);
  return std::string(text) + "\n【" + label + "】";
}

bool has_explicit_label(const LabelSettings& labels, std::string_view text) {
  for (const std::string* label : {&labels.explicit_text.zh_cn, &labels.explicit_text.en}) {
    const std::string mark = "【" + *label + "】";
    const std::string t = trimmed(text);
    if (starts_with(t, mark) || ends_with(t, mark)) return true;
  }
  return false;
}

bool parse_export_format(std::string_view s, ExportFormat* out) {
  if (s == "json")
    *out = ExportFormat::kJson;
  else if (s == "markdown" || s == "md")
    *out = ExportFormat::kMarkdown;
  else
    return false;
  return true;
}

std::string export_labeled(ExportFormat format, std::string_view content, const AigcMetadata& m) {
  if (format == ExportFormat::kJson) {
    nlohmann::ordered_json j;
    j["content"] = std::string(content);
    j.update(aigc_json(m));
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return std::string(kFrontMatter) + "AIGC: " + aigc_json(m)["AIGC"].dump() + "\n" + kFrontMatter +
         std::string(content) + (ends_with(content, "\n") ? "" : "\n");
}

Result<LabeledDocument> read_labeled(const std::string& path, std::string_view file_text) {
  LabeledDocument doc;
  if (starts_with(file_text, kFrontMatter)) {
    doc.format = ExportFormat::kMarkdown;
    const size_t end = file_text.find("\n---\n", 3);
    if (end == std::string_view::npos)
      return corrupt_file(path + ": front matter is not closed by a '---' line");
    const std::string_view matter = file_text.substr(4, end - 3);
    doc.content = std::string(file_text.substr(end + 5));
    size_t at = 0;
    nlohmann::json aigc;
    bool found = false;
    while (at < matter.size()) {
      size_t nl = matter.find('\n', at);
      if (nl == std::string_view::npos) nl = matter.size();
      const std::string_view line = matter.substr(at, nl - at);
      if (starts_with(line, "AIGC:")) {
        aigc = nlohmann::json::parse(line.substr(5), nullptr, /*allow_exceptions=*/false);
        if (aigc.is_discarded())
          return corrupt_file(path + ": front matter AIGC value is not a JSON object");
        found = true;
      }
      at = nl + 1;
    }
    if (!found) return corrupt_file(path + ": front matter has no AIGC field (implicit label)");
    nlohmann::json wrapped;
    wrapped["AIGC"] = aigc;
    Result<AigcMetadata> m = parse_aigc_json(wrapped);
    if (!m.ok()) return corrupt_file(path + ": " + m.status().message());
    doc.aigc = std::move(m).value();
    return doc;
  }
  doc.format = ExportFormat::kJson;
  const nlohmann::json j = nlohmann::json::parse(file_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return corrupt_file(path + ": neither JSON nor Markdown with front matter");
  if (!j.is_object() || !j.contains("content") || !j["content"].is_string())
    return corrupt_file(path + ": no \"content\" string");
  doc.content = j["content"].get<std::string>();
  Result<AigcMetadata> m = parse_aigc_json(j);
  if (!m.ok()) return corrupt_file(path + ": " + m.status().message());
  doc.aigc = std::move(m).value();
  return doc;
}

}  // namespace zhi::compliance
