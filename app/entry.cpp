// The executable's own object: main() alone. The commands, main.cpp's cli::main()
// included, are a library compiled for size and linked after lib/ (CMakeLists.txt).
#include "commands.h"

int main(int argc, char** argv) { return connectrun::cli::main(argc, argv); }
