// A model file opened for reading its tensors once at load. Weights are never read through a
// mapping: a file truncated or rewritten while mapped turns a later read into SIGBUS, so every
// byte is copied with pread into memory the library owns, and a short read is an error.
#pragma once

#include <cstdint>
#include <string>

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

    // Throws LLCUDA_ERR_IO when the file's size or modification time differ from when it was
    // opened: it was rewritten while being read, so what was read may mix two versions.
    void check_unchanged() const;

private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    int64_t mtime_ns_ = 0;
};

}  // namespace llcuda
