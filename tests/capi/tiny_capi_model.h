// The tiny test model loaded once through the C ABI, shared by the C ABI
// test files of one binary (8192 positions: room for the features' long
// inputs and for several session turns).
#pragma once

#include <gtest/gtest.h>

#include "session/tiny_model.h"
#include "zhi/zhi.h"

namespace zhi::testing {

inline zhi_model* tiny_capi_model() {
  struct Handle {
    zhi_model* m = nullptr;
    Handle() {
      zhi_model_options o;
      zhi_model_options_init(&o);
      o.context_size = 8192;
      o.threads = 1;
      EXPECT_EQ(zhi_model_load(tiny_model_path().c_str(), &o, &m), ZHI_OK) << zhi_last_error();
    }
    ~Handle() { zhi_model_free(m); }
  };
  static Handle h;
  return h.m;
}

}  // namespace zhi::testing
