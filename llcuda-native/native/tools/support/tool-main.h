// The one main() every native tool shares: an exception that escapes the tool's body becomes
// "<tool>: <message>" on stderr and exit status 1, so bad input never aborts a tool.
#pragma once

#include <cstdio>
#include <exception>

namespace llcuda::tools {

inline int run_tool_main(const char *tool, int (*body)(int, char **), int argc, char **argv) {
    try {
        return body(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: %s\n", tool, e.what());
        return 1;
    }
}

}  // namespace llcuda::tools
