// Internal error type: thrown inside the library, turned into a status + message at the ABI.
#pragma once

#include <stdexcept>
#include <string>

#include "llcuda.h"

namespace llcuda {

class Error : public std::runtime_error {
  public:
    Error(llcuda_status status, const std::string &message) : std::runtime_error(message), status_(status) {}
    llcuda_status status() const { return status_; }

  private:
    llcuda_status status_;
};

[[noreturn]] inline void fail(llcuda_status status, const std::string &message) {
    throw Error(status, message);
}

inline void require(bool condition, const std::string &message) {
    if (!condition) fail(LLCUDA_ERR_INVALID_ARGUMENT, message);
}

}  // namespace llcuda
