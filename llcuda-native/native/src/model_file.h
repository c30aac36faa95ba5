// A model file opened for reading its tensors once at load. Weights are never read through a
// mapping: a file truncated or rewritten while mapped turns a later read into SIGBUS, so every
// byte is copied with pread into memory the library owns, and a short read is an error.
#pragma once

#include <cstdint>
#include <string>

#include "llcuda.h"

namespace llcuda {

class ModelFile {
  public:
    // Throws LLCUDA_ERR_IO naming the path and the system's reason.
    explicit ModelFile(const std::string &path);
    ~ModelFile();
    ModelFile(const ModelFile &) = delete;
    ModelFile &operator=(const ModelFile &) = delete;

    const std::string &path() const { return path_; }
    // The size when opened; tensors are checked against it.
    uint64_t size() const { return size_; }

    // Copies `bytes` at `offset` into `dst`. Throws LLCUDA_ERR_IO naming `what` when the file
    // ends early (it shrank since it was opened) or the read fails.
    void read(uint64_t offset, uint64_t bytes, uint8_t *dst, const std::string &what) const;

    // From now on every read adds its bytes to the count told to `progress` (NULL: none), out of
    // `total`; reads are split into pieces so that a large tensor reports as it goes.
    void report_progress(llcuda_load_progress_fn progress, void *user_data, uint64_t total);

    // Throws LLCUDA_ERR_IO when the file's size or modification time differ from when it was
    // opened: it was rewritten while being read, so what was read may mix two versions.
    void check_unchanged() const;

  private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    int64_t mtime_ns_ = 0;
    llcuda_load_progress_fn progress_ = nullptr;
    void *progress_user_ = nullptr;
    uint64_t progress_total_ = 0;
    mutable uint64_t progress_done_ = 0;
};

}  // namespace llcuda
