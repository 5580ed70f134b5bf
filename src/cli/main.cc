#include <cstdio>

int main() {
  std::fprintf(stderr, "zhi: not built yet\n");
  return 1;
}
