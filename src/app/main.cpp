#include <cstdio>

int main() {
  std::puts("lunora");
  return 0;
}
