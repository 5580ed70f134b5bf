#include "compliance/moderator.h"

#include <algorithm>

#include "compliance/block_scan.h"
#include "compliance/language.h"
#include "compliance/scanner.h"
#include "compliance/stream_moderator.h"
#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

// Runs the deny terms over an allow term's own characters: whatever occurs
// inside it can be covered by it, so only those hits need to wait.
void mark_allow_coverable(const AllowTerm& a, MatchRules& rules) {
  SkeletonWindow w;
  for (char32_t c : a.folded.chars) {
    w.push(SkelChar{c, 0, 0, 0, 0});
    const auto mark = [&](const TermRef& t) { rules.allow_coverable[t.rule] = 1; };
    rules.anywhere.for_each_ending_at(w, w.count() - 1, mark);
    rules.word.for_each_ending_at(w, w.count() - 1, mark);
  }
}

}  // namespace

Result<std::shared_ptr<const Moderator>> Moderator::create(PolicyPack pack) {
  ZHI_ASSIGN_OR_RETURN(const FoldTable* table, FoldTable::instance());
  auto rules = std::make_shared<MatchRules>();
  rules->table = table;
  rules->max_gap = pack.normalization.max_gap;
  // Breaks are tested on folded noise, so register each break's folded form too ("，" folds to
  // ",").
  for (char32_t cp : pack.normalization.clause_breaks) {
    rules->add_breaker(cp);
    FoldedChar out[kMaxFoldOut];
    const int n = table->fold(cp, out);
    for (int i = 0; i < n; ++i) rules->add_breaker(out[i].cp);
  }
  std::vector<RegexSet::Pattern> patterns;
  for (uint32_t i = 0; i < pack.terms.size(); ++i) {
    Term& t = pack.terms[i];
    switch (t.mode) {
      case MatchMode::kRegex:
        patterns.push_back({t.text, i});
        break;
      case MatchMode::kWord:
        rules->word.add(t.folded, i);
        break;
      default:
        rules->anywhere.add(t.folded, i);
        break;
    }
    t.folded = FoldedTerm{};  // the index holds its own copy
  }
  for (uint32_t i = 0; i < pack.allow.size(); ++i) rules->allow.add(pack.allow[i].folded, i);
  rules->anywhere.build();
  rules->word.build();
  rules->allow.build();
  rules->build_ends();
  rules->build_ascii();
  rules->build_bmp();
  rules->allow_coverable.assign(pack.terms.size(), 0);
  for (const AllowTerm& a : pack.allow) mark_allow_coverable(a, *rules);
  int bad = -1;
  Result<std::shared_ptr<const RegexSet>> regex = RegexSet::compile(patterns, &bad);
  if (!regex.ok()) {
    if (bad >= 0 && static_cast<size_t>(bad) < patterns.size())
      return corrupt_file(pack.terms[patterns[bad].rule].source + ": " + regex.status().message());
    return regex.status();
  }
  rules->regex = std::move(regex).value();
  for (AllowTerm& a : pack.allow) a.folded = FoldedTerm{};
  std::shared_ptr<Moderator> m(new Moderator());
  m->pack_ = std::move(pack);
  m->rules_ = std::move(rules);
  return std::shared_ptr<const Moderator>(std::move(m));
}

std::string Moderator::language_for(std::string_view text) const {
  return detect_language(text, pack_.default_language);
}

Result<Verdict> Moderator::check(std::string_view text, std::string_view language) const {
  ZHI_ASSIGN_OR_RETURN(std::vector<Hit> hits, scan_text(rules_, text));
  return decide(text, hits, language.empty() ? language_for(text) : std::string(language));
}

Result<StreamModerator> Moderator::stream(std::string language) const {
  ZHI_ASSIGN_OR_RETURN(Scanner scanner, Scanner::create(rules_));
  if (language.empty()) language = pack_.default_language;
  return StreamModerator(shared_from_this(), std::move(scanner), std::move(language));
}

Verdict Moderator::decide(std::string_view text, const std::vector<Hit>& hits,
                          std::string language) const {
  Verdict v;
  v.language = std::move(language);
  for (const Hit& h : hits) {
    const uint32_t cat = pack_.terms[h.rule].category;
    v.findings.push_back({cat, pack_.categories[cat].action, h.rule, h.begin, h.end});
  }
  // By span, then rule: the order hits were found in (which differs between
  // one scanner, a stream's pieces and a text scanned as parts) never shows.
  std::sort(v.findings.begin(), v.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end != b.end ? a.end < b.end : a.rule < b.rule;
  });
  for (const Finding& f : v.findings) {
    if (f.action > v.decision) {
      v.decision = f.action;
      v.category = static_cast<int>(f.category);
    }
  }
  if (v.decision == Action::kRefuse) {
    v.refusal = pack_.categories[v.category].refusal.in(v.language);
  } else if (v.decision == Action::kMask) {
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (const Finding& f : v.findings) {
      if (f.action == Action::kMask) spans.emplace_back(f.begin, f.end);
    }
    v.masked = mask_spans(text, 0, std::move(spans));
  }
  return v;
}

std::string mask_spans(std::string_view text, uint64_t base,
                       std::vector<std::pair<uint64_t, uint64_t>> spans) {
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t span = 0;
  for (size_t i = 0; i < text.size();) {
    const uint64_t at = base + i;
    while (span < spans.size() && spans[span].second <= at) ++span;
    const Decoded d = decode_utf8(p + i, text.size() - i);
    if (span < spans.size() && spans[span].first <= at) {
      out += '*';
    } else {
      out.append(text.substr(i, d.len));
    }
    i += d.len;
  }
  return out;
}

}  // namespace zhi::compliance
