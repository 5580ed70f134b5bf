// Row-interleaved ("packed") weights for the decode and prompt kernels,
// made once at load from GGUF's row-major blocks.
//
// Why: a row-major decode kernel spends most of its instructions on per-row
// work that does not scale with the data: gathering one row's scale,
// shuffling one row's codes into vpdpbusd's layout, pairing rows in a
// register. With sixteen rows interleaved block by block, one 64-byte load
// holds the same four code bytes of sixteen rows, which is exactly one
// vpdpbusd operand, and one load holds the sixteen rows' scales. The decode
// kernel then does about a third of the vector work per weight, so it keeps
// up with DRAM instead of falling behind it, and it streams each group of
// sixteen rows as one contiguous run the hardware prefetchers follow.
//
// Layout: rows are taken kPackRows at a time (a matrix is packed only when
// its row count is a multiple of kPackRows). A group stores its blocks in
// order; each block of a group is laid out as below ("slab k" = the sixteen
// rows' 4-byte groups k, row-major inside the slab, 64 bytes):
//
//   Q8_0 (544 B): f16 d[16] | slab 0..7 of qs XOR 0x80 (codes made unsigned)
//   Q4_0 (288 B): f16 d[16] | slab 0..3 of qs (low nibbles: elements 4k..4k+3,
//                 high nibbles: elements 16+4k..16+4k+3)
//   Q5_0 (352 B): f16 d[16] | u32 qh'[16] | slab 0..3 of qs, where bit 8j+k
//                 of qh' is the fifth bit of element 4k+j, so lane k's four
//                 fifth bits sit one shift away from bit 4 of each byte
//   Q4_K (2304 B per 256 columns): f16 d[16] | f16 dmin[16] | the 12 scale
//                 bytes as 3 slabs | qs slab (c, p) = qs[32c + 4p ..] for
//                 c < 4, p < 8
//   Q6_K (3360 B per 256 columns): f16 d[16] | i8 scales[16 sub-blocks][16]
//                 | for half h < 2, chunk c < 8: slabs ql[64h + 4c ..],
//                 ql[64h + 32 + 4c ..], qh[32h + 4c ..]
//
// A packed matrix holds exactly the bytes of the original (the same size),
// and unpack_group gives them back, so an ISA without a batched kernel over
// a packed type can still run its row-major kernels on a group at a time.
// The same layout serves prompts: a register tile of sixteen rows meets a
// few tokens at a time (x86/packed_gemm_avx512.cc, packed_kquant_gemm_avx512.cc).
#pragma once

#include <cstdint>

#include "quant/ggml_type.h"

namespace zhi {

inline constexpr int64_t kPackRows = 16;

// Whether `type` has a packed layout.
bool has_packed_layout(GgmlType type);

// Bytes of one packed group of kPackRows rows, `cols` columns each (the
// same as kPackRows row-major rows).
int64_t packed_group_bytes(GgmlType type, int64_t cols);

// Packs kPackRows rows (row_bytes apart, starting at `rows`) into one group.
void pack_group(GgmlType type, const uint8_t* rows, int64_t row_bytes, int64_t cols,
                uint8_t* group);

// The inverse: writes kPackRows row-major rows, row_bytes apart.
void unpack_group(GgmlType type, const uint8_t* group, int64_t cols, uint8_t* rows,
                  int64_t row_bytes);

// Row r (< kPackRows) of a packed group, in the original row layout (one
// row of row-major blocks): embedding lookups read a tied output matrix
// this way, so the file's copy of it is never touched again.
void unpack_row(GgmlType type, const uint8_t* group, int64_t cols, int64_t r, uint8_t* row);

}  // namespace zhi
