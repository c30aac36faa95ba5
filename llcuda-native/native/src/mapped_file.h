// A model file mapped read-only for the lifetime of the model that reads weights from it.
#pragma once

#include <cstdint>
#include <string>

namespace llcuda {

class MappedFile {
public:
    // Throws LLCUDA_ERR_IO naming the path and the system's reason.
    explicit MappedFile(const std::string &path);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const std::string &path() const { return path_; }
    uint64_t size() const { return size_; }
    const uint8_t *data() const { return data_; }

private:
    std::string path_;
    uint64_t size_ = 0;
    const uint8_t *data_ = nullptr;
};

}  // namespace llcuda
