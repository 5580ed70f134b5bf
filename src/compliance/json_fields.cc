#include "compliance/json_fields.h"

namespace zhi::compliance {

Status JsonFields::is_object(const std::string& what) const {
  if (!obj_.is_object()) return src_.error(pointer_, what + " must be a JSON object");
  return Status();
}

Status JsonFields::only(std::initializer_list<const char*> known) const {
  for (auto it = obj_.begin(); it != obj_.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) {
      std::string list;
      for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
      return src_.error(pointer_ + "/" + it.key(),
                        "unknown key '" + it.key() + "' (expected one of: " + list + ")");
    }
  }
  return Status();
}

const nlohmann::json* JsonFields::get(const char* key, bool required, Status* st) const {
  if (!obj_.is_object() || !obj_.contains(key)) {
    if (required) *st = src_.error(pointer_, std::string("missing required key '") + key + "'");
    return nullptr;
  }
  return &obj_.at(key);
}

Status JsonFields::string(const char* key, std::string* out, bool required) const {
  Status st;
  const nlohmann::json* v = get(key, required, &st);
  if (v == nullptr) return st;
  if (!v->is_string()) return error(key, std::string("'") + key + "' must be a string");
  *out = v->get<std::string>();
  return Status();
}

Status JsonFields::boolean(const char* key, bool* out, bool required) const {
  Status st;
  const nlohmann::json* v = get(key, required, &st);
  if (v == nullptr) return st;
  if (!v->is_boolean()) return error(key, std::string("'") + key + "' must be true or false");
  *out = v->get<bool>();
  return Status();
}

Status JsonFields::integer(const char* key, long min, long max, long* out, bool required) const {
  Status st;
  const nlohmann::json* v = get(key, required, &st);
  if (v == nullptr) return st;
  if (!v->is_number_integer()) return error(key, std::string("'") + key + "' must be an integer");
  const long x = v->get<long>();
  if (x < min || x > max)
    return error(key, std::string("'") + key + "' must be in " + std::to_string(min) + ".." +
                          std::to_string(max));
  *out = x;
  return Status();
}

Status JsonFields::localized(const char* key, Localized* out, bool required) const {
  Status st;
  const nlohmann::json* v = get(key, required, &st);
  if (v == nullptr) return st;
  JsonFields f(src_, *v, child(key));
  ZHI_RETURN_IF_ERROR(f.is_object(std::string("'") + key + "'"));
  ZHI_RETURN_IF_ERROR(f.only({"zh-CN", "en"}));
  ZHI_RETURN_IF_ERROR(f.string("zh-CN", &out->zh_cn, true));
  ZHI_RETURN_IF_ERROR(f.string("en", &out->en, true));
  if (out->zh_cn.empty() || out->en.empty())
    return error(key, std::string("'") + key + "' texts must not be empty");
  return Status();
}

Status JsonFields::array(const char* key, const nlohmann::json** out, bool required) const {
  Status st;
  const nlohmann::json* v = get(key, required, &st);
  if (v == nullptr) return st;
  if (!v->is_array()) return error(key, std::string("'") + key + "' must be an array");
  *out = v;
  return Status();
}

Status JsonFields::object(const char* key, const nlohmann::json** out, bool required) const {
  Status st;
  const nlohmann::json* v = get(key, required, &st);
  if (v == nullptr) return st;
  if (!v->is_object()) return error(key, std::string("'") + key + "' must be an object");
  *out = v;
  return Status();
}

}  // namespace zhi::compliance
