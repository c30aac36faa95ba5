#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"

namespace llcuda {

namespace {
[[noreturn]] void fail_io(const std::string &path, const char *what, int err) {
    fail(LLCUDA_ERR_IO, "cannot " + std::string(what) + " model file '" + path + "': " + std::strerror(err));
}
}  // namespace

MappedFile::MappedFile(const std::string &path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail_io(path, "open", errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        fail_io(path, "stat", err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(LLCUDA_ERR_IO, "model file '" + path + "' is not a regular file");
    }
    if (st.st_size <= 0) {
        ::close(fd);
        fail(LLCUDA_ERR_IO, "model file '" + path + "' is empty");
    }
    size_ = static_cast<uint64_t>(st.st_size);
    void *mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);  // the mapping stays valid without the descriptor
    if (mapped == MAP_FAILED) fail_io(path, "map", err);
    data_ = static_cast<const uint8_t *>(mapped);
    // Weights are read front to back on every token: start reading ahead now (a hint only).
    ::madvise(mapped, size_, MADV_WILLNEED);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t *>(data_), size_);
}

}  // namespace llcuda
