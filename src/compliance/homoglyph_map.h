// Look-alike letters from Cyrillic, Greek and Latin extensions (small capitals,
// dotless i, ...) folded onto the basic Latin letter a reader would see, so
// "сasinо" written with Cyrillic с and о matches "casino". Applied after case
// folding, so only lower-case forms are listed.
#pragma once

namespace zhi::compliance {

// The basic Latin letter `cp` imitates, or `cp` itself.
char32_t fold_homoglyph(char32_t cp);

}  // namespace zhi::compliance
