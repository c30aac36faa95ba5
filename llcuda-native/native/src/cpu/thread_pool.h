// Persistent worker threads for the CPU backend. The calling thread takes part as worker 0, so a
// pool of one thread runs everything inline. Work is split into chunks that threads claim from a
// shared counter: on a busy machine a worker that gets no core simply claims nothing, and the
// caller does its share instead of waiting for it. Workers spin briefly before sleeping: decode
// steps dispatch hundreds of small jobs and a sleeping wake-up costs more than the job.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace llcuda {

class ThreadPool {
  public:
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool &) = delete;
    ThreadPool &operator=(const ThreadPool &) = delete;

    int size() const { return n_threads_; }

    // Splits [0, n) into chunks (multiples of `grain`, about kChunksPerThread per thread) and runs
    // body(begin, end) on each, on whichever threads are free; rethrows the first exception.
    template <class Body>
    void parallel_for(int64_t n, int64_t grain, Body &&body) {
        if (n <= 0) return;
        const int64_t grains = (n + grain - 1) / grain;
        const int64_t target = static_cast<int64_t>(n_threads_) * kChunksPerThread;
        const int64_t chunk = grain * std::max<int64_t>(1, (grains + target - 1) / target);
        const int64_t chunks = (n + chunk - 1) / chunk;
        if (chunks <= 1 || n_threads_ == 1) {
            body(int64_t{0}, n);
            return;
        }
        std::atomic<int64_t> next{0};
        run([&](int) {
            for (int64_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1))
                body(c * chunk, std::min(n, (c + 1) * chunk));
        });
    }

  private:
    static constexpr int64_t kChunksPerThread = 8;

    // Runs job on the caller and on every worker that wakes while the job is open.
    void run(const std::function<void(int)> &job);
    void worker_loop(int worker);
    void execute(int worker);

    int n_threads_;
    std::vector<std::thread> threads_;
    const std::function<void(int)> *job_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<bool> closed_{true};  // the current job takes no new workers
    std::atomic<int> active_{0};      // workers inside (or about to check) the current job
    std::atomic<bool> stop_{false};
    std::atomic<int> sleepers_{0};  // workers blocked on `wake_`: only then is a notify needed
    std::mutex mutex_;
    std::condition_variable wake_;
    std::exception_ptr error_;
    std::mutex error_mutex_;
};

}  // namespace llcuda
