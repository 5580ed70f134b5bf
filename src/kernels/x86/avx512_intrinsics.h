// The AVX-512 intrinsics, for the *_avx512.cc kernels.
//
// GCC 12 reports its own _mm512_undefined_* placeholders (self-initialised
// on purpose) as uninitialised once they are inlined (GCC bug 105593), so
// every file that uses them silences those two warnings.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>
