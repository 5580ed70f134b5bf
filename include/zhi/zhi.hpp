// The Zhi C++ API: Model, Session, tools, guided generation.
#pragma once

#include "zhi/errors.hpp"
#include "zhi/model.hpp"
#include "zhi/options.hpp"
#include "zhi/session.hpp"
#include "zhi/tools.hpp"
#include "zhi/transcript.hpp"
