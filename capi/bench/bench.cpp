// The C++ side of the comparison: one root's operations under each scheme,
// against floors (a raw pointer copy, a std::shared_ptr copy), and GCBench
// ported to C++ over the wrapper. Built and run by
// `cargo run --release -p gcroots-capi --example cpp_bench`, which also
// checks GCBench's checksum against the Rust workload's.
//
// Each figure is the median, over REPS runs, of the time per operation of
// a loop of ITERS operations.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "gcroots.hpp"

static const int REPS = 11;
static const long ITERS = 5'000'000;

/// Keeps the compiler from deleting what computes `v` (as Google
/// Benchmark's DoNotOptimize).
template <class T> inline void keep(T const &v) { asm volatile("" : : "r,m"(v) : "memory"); }

template <class F> double median_ns(F &&body) {
    std::vector<double> t;
    for (int r = 0; r < REPS; r++) {
        auto start = std::chrono::steady_clock::now();
        for (long i = 0; i < ITERS; i++) {
            body();
        }
        auto end = std::chrono::steady_clock::now();
        t.push_back(std::chrono::duration<double, std::nano>(end - start).count() / ITERS);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

static void row(const char *what, double ns, double floor_ns) {
    std::printf("%-44s %7.2f ns  %5.2fx shared_ptr\n", what, ns, ns / floor_ns);
}

template <class S> void root_ops(double shared) {
    typename S::Heap heap(gcroots::config(false));
    auto r = heap.alloc(0, 8);
    auto q = heap.alloc(0, 8);
    S::set_u64(heap, r, 0, 7);
    std::string name = S::name;
    row((name + " create + drop (copy-construct, destroy)").c_str(), median_ns([&] {
            typename S::Root c(r);
            keep(c);
        }),
        shared);
    row((name + " copy-assign").c_str(), median_ns([&] {
            q = r;
            keep(q);
        }),
        shared);
    row((name + " move out and back (two moves)").c_str(), median_ns([&] {
            typename S::Root m(std::move(r));
            r = std::move(m);
            keep(r);
        }),
        shared);
    row((name + " read 8 data bytes").c_str(), median_ns([&] { keep(S::get_u64(heap, r, 0)); }),
        shared);
}

// ----- GCBench over the wrapper ---------------------------------------------

/// Nodes are {left, right; i, j}; `i` records the depth.
template <class S> void populate(typename S::Heap &heap, unsigned depth, const typename S::Root &node) {
    S::set_u64(heap, node, 0, depth);
    if (depth == 0) {
        return;
    }
    auto left = heap.alloc(2, 16);
    auto right = heap.alloc(2, 16);
    S::set_field(heap, node, 0, left);
    S::set_field(heap, node, 1, right);
    populate<S>(heap, depth - 1, left);
    populate<S>(heap, depth - 1, right);
}

template <class S> typename S::Root make_tree(typename S::Heap &heap, unsigned depth) {
    if (depth == 0) {
        return heap.alloc(2, 16);
    }
    auto left = make_tree<S>(heap, depth - 1);
    auto right = make_tree<S>(heap, depth - 1);
    auto node = heap.alloc(2, 16);
    S::set_field(heap, node, 0, left);
    S::set_field(heap, node, 1, right);
    S::set_u64(heap, node, 0, depth);
    return node;
}

template <class S> std::uint64_t leftmost(typename S::Heap &heap, typename S::Root at) {
    std::uint64_t sum = 0;
    while (!at.empty()) {
        sum += S::get_u64(heap, at, 0);
        at = S::field(heap, at, 0);
    }
    return sum;
}

template <class S> std::uint64_t count(typename S::Heap &heap, const typename S::Root &tree) {
    std::uint64_t n = 0;
    std::vector<typename S::Root> stack{tree};
    while (!stack.empty()) {
        auto node = std::move(stack.back());
        stack.pop_back();
        n++;
        for (int i = 0; i < 2; i++) {
            auto child = S::field(heap, node, i);
            if (!child.empty()) {
                stack.push_back(std::move(child));
            }
        }
    }
    return n;
}

static std::uint64_t tree_size(unsigned depth) { return (std::uint64_t(1) << (depth + 1)) - 1; }

/// GCBench as the Rust workload runs it (`compare/src/workloads/gcbench.rs`),
/// with the same checksum.
template <class S> std::uint64_t gcbench(unsigned max) {
    typename S::Heap heap(gcroots::config(false));
    const unsigned min = 4, stretch = max + 2;
    std::uint64_t sum = leftmost<S>(heap, make_tree<S>(heap, stretch));
    auto long_lived = heap.alloc(2, 16);
    populate<S>(heap, max, long_lived);
    std::uint64_t len = std::max<std::uint64_t>(tree_size(max) * 500000 / tree_size(16), 64);
    auto array = heap.alloc(0, len * 8);
    for (std::uint64_t i = 1; i < len / 2; i++) {
        double d = 1.0 / double(i);
        std::uint64_t bits;
        std::memcpy(&bits, &d, 8);
        S::set_u64(heap, array, i * 8, bits);
    }
    for (unsigned depth = min; depth <= max; depth += 2) {
        std::uint64_t iterations = 2 * tree_size(stretch) / tree_size(depth);
        for (std::uint64_t k = 0; k < iterations; k++) {
            auto tree = heap.alloc(2, 16);
            populate<S>(heap, depth, tree);
            sum += leftmost<S>(heap, tree);
        }
        for (std::uint64_t k = 0; k < iterations; k++) {
            sum += leftmost<S>(heap, make_tree<S>(heap, depth));
        }
    }
    sum += count<S>(heap, long_lived);
    std::uint64_t bits = S::get_u64(heap, array, 8 * (len / 4));
    double sample;
    std::memcpy(&sample, &bits, 8);
    sum += std::uint64_t(sample * 1e9);
    return sum;
}

template <class S> void gcbench_row(unsigned depth) {
    std::vector<double> t;
    std::uint64_t checksum = 0;
    for (int r = 0; r < 5; r++) {
        auto start = std::chrono::steady_clock::now();
        checksum = gcbench<S>(depth);
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    std::printf("gcbench depth %u under %-9s %8.1f ms  checksum %llu\n", depth, S::name, t[t.size() / 2],
                (unsigned long long)checksum);
}

int main(int argc, char **argv) {
    unsigned depth = argc > 1 ? unsigned(std::atoi(argv[1])) : 16;
    int x = 1;
    int *p = &x;
    double pointer = median_ns([&] {
        int *q = p;
        keep(q);
    });
    auto sp = std::make_shared<int>(1);
    double shared = median_ns([&] {
        std::shared_ptr<int> q(sp);
        keep(q);
    });
    std::printf("median of %d runs of %ld operations each\n", REPS, ITERS);
    row("floor: raw pointer copy", pointer, shared);
    row("floor: shared_ptr copy-construct + destroy", shared, shared);
    root_ops<gcroots::Intrusive>(shared);
    root_ops<gcroots::Indexed>(shared);
    gcbench_row<gcroots::Intrusive>(depth);
    gcbench_row<gcroots::Indexed>(depth);
    return 0;
}
