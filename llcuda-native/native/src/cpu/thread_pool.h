// Persistent worker threads for the CPU backend. The calling thread takes part as worker 0, so a
// pool of one thread runs everything inline. Workers spin briefly before sleeping: decode steps
// dispatch hundreds of small jobs and a sleeping wake-up costs more than the job.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <algorithm>
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

    // Runs job(worker) on every worker and returns when all are done; rethrows the first
    // exception a worker threw.
    void run(const std::function<void(int)> &job);

    // Splits [0, n) into one contiguous range per worker (multiples of `grain`) and runs
    // body(begin, end) on each non-empty range.
    template <class Body>
    void parallel_for(int64_t n, int64_t grain, Body &&body) {
        const int64_t chunks = (n + grain - 1) / grain;
        if (chunks <= 1) {  // one range: no point waking the workers
            if (n > 0) body(int64_t{0}, n);
            return;
        }
        run([&](int worker) {
            const int64_t begin = chunks * worker / n_threads_ * grain;
            const int64_t end = std::min(n, chunks * (worker + 1) / n_threads_ * grain);
            if (begin < end) body(begin, end);
        });
    }

private:
    void worker_loop(int worker);
    void execute(int worker);

    int n_threads_;
    std::vector<std::thread> threads_;
    const std::function<void(int)> *job_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stop_{false};
    std::atomic<int> sleepers_{0};  // workers blocked on `wake_`: only then is a notify needed
    std::mutex mutex_;
    std::condition_variable wake_;
    std::exception_ptr error_;
    std::mutex error_mutex_;
};

}  // namespace llcuda
