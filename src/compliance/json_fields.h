// Typed, strict reading of one JSON object of a policy file: each getter
// checks the type, and unknown keys are rejected, so a typo ("acton") fails
// at load naming its file and line instead of silently meaning "default".
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "compliance/json_source.h"
#include "compliance/policy.h"

namespace zhi::compliance {

class JsonFields {
 public:
  // `pointer` is where `obj` sits in `src` ("" for the root).
  JsonFields(const JsonSource& src, const nlohmann::json& obj, std::string pointer)
      : src_(src), obj_(obj), pointer_(std::move(pointer)) {}

  Status is_object(const std::string& what) const;
  Status only(std::initializer_list<const char*> known) const;
  bool has(const char* key) const { return obj_.is_object() && obj_.contains(key); }

  Status string(const char* key, std::string* out, bool required) const;
  Status boolean(const char* key, bool* out, bool required) const;
  Status integer(const char* key, long min, long max, long* out, bool required) const;
  // {"zh-CN": "...", "en": "..."}; both languages required when present.
  Status localized(const char* key, Localized* out, bool required) const;
  Status array(const char* key, const nlohmann::json** out, bool required) const;
  Status object(const char* key, const nlohmann::json** out, bool required) const;

  std::string child(const char* key) const { return pointer_ + "/" + key; }
  Status error(const char* key, const std::string& message) const {
    return src_.error(key ? child(key) : pointer_, message);
  }

 private:
  const nlohmann::json* get(const char* key, bool required, Status* st) const;
  const JsonSource& src_;
  const nlohmann::json& obj_;
  std::string pointer_;
};

}  // namespace zhi::compliance
