// The C++ side of the comparison: one root's operations under each scheme,
// against floors, and GCBench ported to C++ over the wrapper. Built and run
// by `cargo run --release -p gcroots-capi --example cpp_bench`, which also
// runs the Rust GCBench at the same depth (its time, for the C++/Rust
// ratio, and its checksum, which must match).
//
// The floors: a raw pointer copy and read; a plain counted pointer (a
// non-atomic count, what a copy costs when nothing needs to be atomic);
// std::shared_ptr, whose count libstdc++ updates with atomic instructions
// only once it believes threads exist, so it is measured after a thread
// was started (its cost in any threaded program). The intrusive Root's
// operations and the indexed Root's copy and destroy are inline
// (gcroots_inline.h); the same operations through the library's functions
// (one call each) are measured beside them.
//
// Each figure is the median, over REPS runs, of the time per operation of
// a loop of ITERS operations.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
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

/// The floor the rows divide by: the plain counted pointer's copy.
static double counted_floor = 1.0;

static void row(const char *what, double ns) {
    std::printf("%-52s %7.2f ns  %5.2fx counted\n", what, ns, ns / counted_floor);
}

/// A counted pointer with a plain (non-atomic) count: the least a copyable
/// owning handle can cost.
class Counted {
  public:
    explicit Counted(long *count) noexcept : count_(count) { ++*count_; }
    Counted(const Counted &o) noexcept : count_(o.count_) { ++*count_; }
    Counted &operator=(const Counted &o) noexcept {
        ++*o.count_;
        --*count_;
        count_ = o.count_;
        return *this;
    }
    ~Counted() { --*count_; }

  private:
    long *count_;
};

template <class S> void root_ops() {
    typename S::Heap heap(S::default_config());
    auto r = heap.alloc(0, 8);
    auto q = heap.alloc(0, 8);
    S::set_u64(heap, r, 0, 7);
    std::string name = S::name;
    row((name + " create + drop (copy-construct, destroy)").c_str(), median_ns([&] {
            typename S::Local c(r);
            keep(c);
        }));
    row((name + " copy-assign").c_str(), median_ns([&] {
            q = r;
            keep(q);
        }));
    row((name + " move out and back (two moves)").c_str(), median_ns([&] {
            typename S::Local m(std::move(r));
            r = std::move(m);
            keep(r);
        }));
    row((name + " read 8 data bytes").c_str(), median_ns([&] { keep(S::get_u64(heap, r, 0)); }));
}

/// The intrusive operations through the library's functions, one call
/// each: what the wrapper cost before its operations were inline.
static void intrusive_calls() {
    gcroots::intrusive::Heap heap(gcroots::config(false));
    auto r = heap.alloc(0, 8);
    auto q = heap.alloc(0, 8);
    r.set_u64(0, 7);
    row("intrusive (calls) create + drop", median_ns([&] {
            gcr_intrusive_root_t c;
            gcr_intrusive_root_init(&c);
            gcr_intrusive_root_copy(&c, r.raw());
            keep(c);
            gcr_intrusive_root_destroy(&c);
        }));
    row("intrusive (calls) copy-assign", median_ns([&] {
            gcr_intrusive_root_copy(q.raw(), r.raw());
            keep(q);
        }));
    row("intrusive (calls) read 8 data bytes", median_ns([&] {
            std::uint64_t v;
            gcr_intrusive_get_u64(r.raw(), 0, &v);
            keep(v);
        }));
}

// ----- GCBench over the wrapper ---------------------------------------------

/// Nodes are {left, right; i, j}; `i` records the depth.
template <class S> void populate(typename S::Heap &heap, unsigned depth, const typename S::Local &node) {
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

template <class S> typename S::Local make_tree(typename S::Heap &heap, unsigned depth) {
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

template <class S> std::uint64_t leftmost(typename S::Heap &heap, typename S::Local at) {
    std::uint64_t sum = 0;
    while (!at.empty()) {
        sum += S::get_u64(heap, at, 0);
        at = S::field(heap, at, 0);
    }
    return sum;
}

/// (The vector holds locals: nothing allocates while it lives, so under
/// the conservative scheme its plain pointers need no root.)
template <class S> std::uint64_t count(typename S::Heap &heap, const typename S::Local &tree) {
    std::uint64_t n = 0;
    std::vector<typename S::Local> stack{tree};
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
template <class S> std::uint64_t gcbench(unsigned max, bool mark_region) {
    typename S::Heap heap(mark_region ? gcroots::mark_region_config(false) : gcroots::config(false));
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

/// GCBench's median over 5 runs, in a semispace or (`mark_region`, the
/// only mode the conservative scheme has) a mark-region heap; the scheme
/// is printed as `name` or `name_mr`.
template <class S> void gcbench_row(unsigned depth, bool mark_region) {
    std::vector<double> t;
    std::uint64_t checksum = 0;
    for (int r = 0; r < 5; r++) {
        auto start = std::chrono::steady_clock::now();
        checksum = gcbench<S>(depth, mark_region);
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    std::string name = std::string(S::name) + (mark_region ? "_mr" : "");
    std::printf("gcbench depth %u under %-15s %8.1f ms  checksum %llu\n", depth, name.c_str(), t[t.size() / 2],
                (unsigned long long)checksum);
}

/// The indexed clone and unroot through the library's functions: what the
/// wrapper cost before they were inline.
static void indexed_calls() {
    gcroots::indexed::Heap heap(gcroots::config(false));
    auto r = heap.alloc(0, 8);
    auto q = heap.alloc(0, 8);
    row("indexed (calls) create + drop", median_ns([&] {
            gcr_indexed_root_t c;
            gcr_indexed_root_init(&c);
            gcr_indexed_root_clone(r.raw(), &c);
            keep(c);
            gcr_indexed_root_unroot(&c);
        }));
    row("indexed (calls) copy-assign", median_ns([&] {
            gcr_indexed_root_clone(r.raw(), q.raw());
            keep(q);
        }));
}

int main(int argc, char **argv) {
    unsigned depth = argc > 1 ? unsigned(std::atoi(argv[1])) : 16;
    std::uint64_t x = 1;
    std::uint64_t *p = &x;
    double pointer = median_ns([&] {
        std::uint64_t *q = p;
        keep(q);
    });
    double pointer_read = median_ns([&] {
        std::uint64_t *q = p;
        keep(q);
        keep(*q);
    });
    long count = 0;
    Counted counted(&count);
    counted_floor = median_ns([&] {
        Counted c(counted);
        keep(c);
    });
    Counted other(&count);
    double counted_assign = median_ns([&] {
        other = counted;
        keep(other);
    });
    auto sp = std::make_shared<int>(1);
    double shared_single = median_ns([&] {
        std::shared_ptr<int> q(sp);
        keep(q);
    });
    std::thread([] {}).join(); // from here on libstdc++ counts atomically
    double shared = median_ns([&] {
        std::shared_ptr<int> q(sp);
        keep(q);
    });
    std::printf("median of %d runs of %ld operations each\n", REPS, ITERS);
    row("floor: raw pointer copy", pointer);
    row("floor: raw pointer read (8 bytes through it)", pointer_read);
    row("floor: counted pointer copy + destroy (plain)", counted_floor);
    row("floor: counted pointer copy-assign (plain)", counted_assign);
    row("floor: shared_ptr copy + destroy (no thread yet)", shared_single);
    row("floor: shared_ptr copy + destroy (atomic count)", shared);
    root_ops<gcroots::Intrusive>();
    intrusive_calls();
    root_ops<gcroots::Indexed>();
    indexed_calls();
    root_ops<gcroots::Conservative>();
    gcbench_row<gcroots::Intrusive>(depth, false);
    gcbench_row<gcroots::Indexed>(depth, false);
    // The three in the mode the conservative scheme needs.
    gcbench_row<gcroots::Intrusive>(depth, true);
    gcbench_row<gcroots::Indexed>(depth, true);
    gcbench_row<gcroots::Conservative>(depth, true);
    return 0;
}
