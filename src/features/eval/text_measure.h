// Text measurements the feature eval scores with: lengths in characters (one
// per code point, so a Chinese character counts one, as users count them),
// language-aware term matching, the share of Han characters, and a character
// edit distance. Invalid UTF-8 never stops a measurement: each bad byte counts
// as one character.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zhi::features::eval {

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD, so
// reports built from model output always serialize.
std::string valid_utf8(std::string_view s);

// Code points in `s`.
size_t char_count(std::string_view s);

// The form terms are matched in: NFKC, case-folded, full-width digits and
// letters folded to ASCII. For "zh" every whitespace run is removed (models
// write "3 月 5 日" for "3月5日"); for other languages runs collapse to one
// space.
std::string normalize_for_match(std::string_view s, std::string_view lang);

// A term in a case is a string, or an array of alternative spellings of which
// any one counts ("3pm", "3 pm", "15:00").
std::vector<std::string> term_alternatives(const nlohmann::json& term);
// The first spelling, used to name the term in messages.
std::string term_label(const nlohmann::json& term);

// Whether `haystack` contains any spelling of `term`, both normalized for `lang`.
bool contains_term(std::string_view haystack, const nlohmann::json& term, std::string_view lang);

// Exact, byte-for-byte occurrences of `needle` (non-overlapping); 0 for an empty needle.
size_t count_exact(std::string_view haystack, std::string_view needle);

// Han ideographs / (Han ideographs + Latin letters); nullopt when the text has neither.
std::optional<double> han_share(std::string_view s);

// Levenshtein distance counted in code points.
size_t char_edit_distance(std::string_view a, std::string_view b);

}  // namespace zhi::features::eval
