// Included last in every quant/ source file. The reference rounds after every
// multiply and add; a fused multiply-add (which GCC forms by default wherever
// the target has one, even in ISO mode) would change low bits and with them
// the chosen codes. So contraction is off for the rest of the including file.
#pragma once

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
