#include "cpu/thread_pool.h"

#include <immintrin.h>

namespace llcuda {

namespace {
constexpr int kSpinIterations = 1 << 14;  // ~50-100 us of spinning before a worker sleeps or the caller yields
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
    job_ = &job;
    error_ = nullptr;
    closed_.store(false);      // seq_cst: a worker that reads false also sees job_
    generation_.fetch_add(1);  // ordered before the sleepers_ read below
    if (sleepers_.load() > 0) {
        std::lock_guard<std::mutex> lock(mutex_);
        wake_.notify_all();
    }
    execute(0);
    // No chunk is left unclaimed now; wait only for workers still inside the job.
    closed_.store(true);
    for (int spins = 0; active_.load() != 0; ++spins) {
        if (spins < kSpinIterations) {
            _mm_pause();
        } else {
            std::this_thread::yield();
        }
    }
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(int worker) {
    uint64_t seen = 0;
    for (;;) {
        for (int spins = 0; generation_.load(std::memory_order_acquire) == seen && spins < kSpinIterations; ++spins)
            _mm_pause();
        if (generation_.load(std::memory_order_acquire) == seen) {
            std::unique_lock<std::mutex> lock(mutex_);
            sleepers_.fetch_add(1);  // seq_cst: a run() that missed this sees the new generation below
            wake_.wait(lock, [&] { return generation_.load() != seen; });
            sleepers_.fetch_sub(1);
        }
        seen = generation_.load();
        if (stop_.load()) return;
        // Enter only while the job is open: run() waits for every worker that entered.
        active_.fetch_add(1);
        if (!closed_.load()) execute(worker);
        active_.fetch_sub(1);
    }
}

}  // namespace llcuda
