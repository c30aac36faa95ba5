#include "model_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "error.h"

namespace llcuda {

namespace {
[[noreturn]] void fail_io(const std::string &path, const std::string &what, int err) {
    fail(LLCUDA_ERR_IO, "cannot " + what + " model file '" + path + "': " + std::strerror(err));
}

// Largest single pread, so that progress is reported at least this often.
constexpr uint64_t kReadPieceBytes = 64ull << 20;

int64_t mtime_ns(const struct stat &st) {
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}
}  // namespace

ModelFile::ModelFile(const std::string &path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail_io(path, "open", errno);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        ::close(fd_);
        fail_io(path, "stat", err);
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
        ::close(fd_);
        fail(LLCUDA_ERR_IO, "model file '" + path + "' is " + (S_ISREG(st.st_mode) ? "empty" : "not a regular file"));
    }
    size_ = static_cast<uint64_t>(st.st_size);
    mtime_ns_ = mtime_ns(st);
    // Tensors are read front to back once (a hint only).
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

ModelFile::~ModelFile() {
    ::close(fd_);
}

void ModelFile::read(uint64_t offset, uint64_t bytes, uint8_t *dst, const std::string &what) const {
    if (offset > size_ || bytes > size_ - offset) {
        fail(LLCUDA_ERR_IO, "model file '" + path_ + "': " + what + " (" + std::to_string(bytes) + " bytes at offset " +
                                std::to_string(offset) + ") lies beyond its " + std::to_string(size_) + " bytes");
    }
    uint64_t done = 0;
    while (done < bytes) {
        const uint64_t piece = std::min(bytes - done, kReadPieceBytes);
        const ssize_t n = ::pread(fd_, dst + done, static_cast<size_t>(piece), static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_io(path_, "read " + what + " of", errno);
        }
        if (n == 0) {
            fail(LLCUDA_ERR_IO, "model file '" + path_ + "' ended at byte " + std::to_string(offset + done) +
                                    " while reading " + what + ": it shrank from " + std::to_string(size_) +
                                    " bytes while being loaded");
        }
        done += static_cast<uint64_t>(n);
        if (progress_ != nullptr) {
            progress_done_ = std::min(progress_done_ + static_cast<uint64_t>(n), progress_total_);
            progress_(progress_done_, progress_total_, progress_user_);
        }
    }
}

void ModelFile::report_progress(llcuda_load_progress_fn progress, void *user_data, uint64_t total) {
    progress_ = progress;
    progress_user_ = user_data;
    progress_total_ = total;
    progress_done_ = 0;
}

void ModelFile::check_unchanged() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail_io(path_, "stat", errno);
    if (static_cast<uint64_t>(st.st_size) != size_ || mtime_ns(st) != mtime_ns_) {
        fail(LLCUDA_ERR_IO, "model file '" + path_ + "' changed while being loaded (size " + std::to_string(size_) +
                                " -> " + std::to_string(st.st_size) + " bytes); load it again once it is complete");
    }
}

}  // namespace llcuda
