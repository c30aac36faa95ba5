#include "cpu/thread_pool.h"

#include <immintrin.h>

namespace llcuda {

namespace {
constexpr int kSpinIterations = 1 << 14;  // ~50-100 us of spinning before a worker sleeps
}

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
    threads_.reserve(static_cast<size_t>(n_threads_ - 1));
    for (int i = 1; i < n_threads_; ++i) threads_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true);
        generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (std::thread &t : threads_) t.join();
}

void ThreadPool::execute(int worker) {
    try {
        (*job_)(worker);
    } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
    }
}

void ThreadPool::run(const std::function<void(int)> &job) {
    if (n_threads_ == 1) {
        job(0);
        return;
    }
    job_ = &job;
    error_ = nullptr;
    pending_.store(n_threads_ - 1);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        generation_.fetch_add(1);
    }
    wake_.notify_all();
    execute(0);
    while (pending_.load(std::memory_order_acquire) != 0) _mm_pause();
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(int worker) {
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen && spins < kSpinIterations) {
            _mm_pause();
            ++spins;
        }
        if (generation_.load(std::memory_order_acquire) == seen) {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return generation_.load() != seen; });
        }
        seen = generation_.load(std::memory_order_acquire);
        if (stop_.load()) return;
        execute(worker);
        pending_.fetch_sub(1, std::memory_order_release);
    }
}

}  // namespace llcuda
