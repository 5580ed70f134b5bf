#include "compliance/sha256.h"

#include <openssl/evp.h>

namespace zhi::compliance {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure; an all-zero digest is then
  // returned rather than a partial one.
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) len = 0;
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  if (out.empty()) out.assign(64, '0');
  return out;
}

}  // namespace zhi::compliance
