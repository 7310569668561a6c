#include <cstdio>
int main() { std::puts("connectrun " CONNECTRUN_VERSION); }
