// What the opaque C handles hold.
#pragma once

#include <memory>
#include <string>

#include "zhi/model.hpp"
#include "zhi/session.hpp"

struct zhi_model {
  std::shared_ptr<zhi::Model> model;
};

struct zhi_session {
  std::unique_ptr<zhi::Session> session;
};

struct zhi_tool_result {
  bool set = false;
  bool is_error = false;
  std::string text;
};
