// The C++ wrapper, written once over both schemes: copies and moves of
// roots in every direction, std::vector growth, aggregates, exceptions
// unwinding through frames with roots, identity, errors as exceptions,
// RAII pins whose bytes go to std::sort across collections.
// Run by capi/tests/programs.rs (plain, under AddressSanitizer and
// UndefinedBehaviorSanitizer, and valgrind in CI).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gcroots.hpp"

static int failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

using gcroots::config;

/// Two roots in an aggregate, initialised with braces: ordinary C++ value
/// semantics under either scheme.
template <class S> struct Pair {
    typename S::Root first;
    typename S::Root second;
};

template <class S> typename S::Root cell(typename S::Heap &heap, std::uint64_t value) {
    auto r = heap.alloc(1, 8);
    S::set_u64(heap, r, 0, value);
    return r;
}

template <class S> void copies_and_moves() {
    typename S::Heap heap(config(true));
    using Root = typename S::Root;
    Root a = cell<S>(heap, 1);
    Root b(a);                  // copy construct
    Root c(std::move(b));       // move construct
    CHECK(b.empty() && !c.empty());
    Root d;
    d = c;                      // copy assign
    Root e;
    e = std::move(d);           // move assign
    CHECK(d.empty());
    Root &alias = e;
    e = alias;                  // self copy assign
    e = std::move(alias);       // self move assign
    CHECK(!e.empty());
    heap.collect();
    CHECK(S::same(heap, a, e) && S::same(heap, a, c));
    CHECK(S::get_u64(heap, e, 0) == 1);
    a = Root();                 // assign an empty root
    CHECK(a.empty());
    Pair<S> p{cell<S>(heap, 6), cell<S>(heap, 27)};
    Pair<S> q = p;              // aggregate copy
    heap.collect();
    CHECK(S::get_u64(heap, q.first, 0) == 6 && S::get_u64(heap, q.second, 0) == 27);
    CHECK(S::same(heap, p.second, q.second));
}

template <class S> void vectors_grow_with_roots_inside() {
    typename S::Heap heap(config(true));
    using Root = typename S::Root;
    std::vector<Root> v; // no reserve: growth moves every element
    for (std::uint64_t i = 0; i < 300; i++) {
        v.push_back(cell<S>(heap, i));
        if (i % 50 == 0) {
            heap.collect();
        }
    }
    std::vector<Root> w = v; // copy the whole vector
    v.erase(v.begin() + 10, v.begin() + 20);
    v.insert(v.begin(), w.back());
    heap.collect();
    std::uint64_t sum = 0;
    for (const auto &r : w) {
        sum += S::get_u64(heap, r, 0);
    }
    CHECK(sum == 299 * 300 / 2);
    CHECK(S::get_u64(heap, v.front(), 0) == 299);
    CHECK(S::get_u64(heap, v[11], 0) == 20);
    w.clear();
    v.clear();
    heap.collect();
    CHECK(heap.root_count() == 0);
    CHECK(heap.stats().live_bytes_after_gc == 0);
}

template <class S> std::uint64_t deep(typename S::Heap &heap, const typename S::Root &below, int n) {
    auto r = cell<S>(heap, static_cast<std::uint64_t>(n));
    S::set_field(heap, r, 0, below);
    if (n == 0) {
        heap.collect();
        throw std::runtime_error("bottom");
    }
    return deep<S>(heap, r, n - 1);
}

template <class S> void exceptions_unwind_through_rooted_frames() {
    typename S::Heap heap(config(true));
    auto outer = cell<S>(heap, 42);
    std::size_t before = heap.root_count();
    try {
        deep<S>(heap, outer, 40);
        CHECK(false);
    } catch (const std::runtime_error &e) {
        CHECK(std::string(e.what()) == "bottom");
    }
    CHECK(heap.root_count() == before);
    heap.collect();
    CHECK(S::get_u64(heap, outer, 0) == 42);
    CHECK(heap.stats().live_bytes_after_gc == 24);
}

template <class S> void fields_and_identity() {
    typename S::Heap heap(config(true));
    auto pair = heap.alloc(2, 0);
    auto x = cell<S>(heap, 5);
    S::set_field(heap, pair, 0, x);
    S::set_field(heap, pair, 1, x);
    heap.collect();
    auto f0 = S::field(heap, pair, 0), f1 = S::field(heap, pair, 1);
    CHECK(S::same(heap, f0, f1) && S::same(heap, f0, x));
    S::set_field(heap, pair, 1, typename S::Root());
    CHECK(S::field(heap, pair, 1).empty());
}

template <class S> void errors_are_exceptions() {
    typename S::Heap heap(config(false));
    typename S::Heap other(config(false));
    auto x = cell<S>(heap, 1);
    auto y = cell<S>(other, 2);
    try {
        S::set_field(heap, x, 0, y);
        CHECK(false);
    } catch (const gcroots::Error &e) {
        CHECK(e.status() == GCR_ERR_WRONG_HEAP);
    }
    try {
        S::get_u64(heap, x, 8);
        CHECK(false);
    } catch (const gcroots::Error &e) {
        CHECK(e.status() == GCR_ERR_RANGE);
        CHECK(std::string(e.what()).find("out of range") != std::string::npos);
    }
    try {
        S::get_u64(heap, typename S::Root(), 0);
        CHECK(false);
    } catch (const gcroots::Error &e) {
        CHECK(e.status() == GCR_ERR_EMPTY);
    }
}

/// A Pin keeps its object's bytes in place across collections (zeal: every
/// other one evacuates everything else) in a mark-region heap; std::sort
/// sorts them there; a moved Pin unpins once; a copying heap refuses.
template <class S> void pins_hold_bytes_for_native_code() {
    {
        typename S::Heap heap(config(true));
        auto r = heap.alloc(0, 64);
        try {
            auto pin = S::pin(heap, r);
            CHECK(false);
        } catch (const gcroots::Error &e) {
            CHECK(e.status() == GCR_ERR_UNSUPPORTED);
            CHECK(std::string(e.what()).find("mark-region") != std::string::npos);
        }
    }
    typename S::Heap heap(gcroots::mark_region_config(true));
    constexpr std::size_t n = 256;
    auto buf = heap.alloc(0, n * 8);
    for (std::size_t i = 0; i < n; i++) {
        S::set_u64(heap, buf, i * 8, (i * 0x9E3779B97F4A7C15u) >> 7);
    }
    {
        auto pin = S::pin(heap, buf);
        std::uint8_t *at = pin.data();
        CHECK(pin.size() == n * 8);
        std::vector<typename S::Root> garbage;
        for (int round = 0; round < 5; round++) {
            garbage.push_back(heap.alloc(1, 32)); // collects
            std::uint64_t *words = reinterpret_cast<std::uint64_t *>(pin.data());
            std::sort(words, words + n);
            heap.collect();
            CHECK(pin.data() == at);
            for (std::size_t i = 1; i < n; i++) {
                CHECK(S::get_u64(heap, buf, (i - 1) * 8) <= S::get_u64(heap, buf, i * 8));
            }
            std::reverse(words, words + n);
        }
        auto moved = std::move(pin); // the moved-from Pin unpins nothing
        CHECK(pin.data() == nullptr && moved.data() == at);
        CHECK(heap.stats().objects_pinned == 1);
    }
    heap.collect();
    CHECK(heap.stats().objects_pinned == 0);
}

template <class S> void run() {
    copies_and_moves<S>();
    vectors_grow_with_roots_inside<S>();
    exceptions_unwind_through_rooted_frames<S>();
    fields_and_identity<S>();
    errors_are_exceptions<S>();
    pins_hold_bytes_for_native_code<S>();
}

/// The conservative scheme: objects as plain pointers in locals (no root
/// operation) across collections that evacuate everything else, through
/// deep recursion and an exception; roots for what lives in a std::vector
/// across allocations; errors as exceptions.
static std::uint64_t conservative_deep(gcroots::conservative::Heap &heap,
                                       gcroots::conservative::Object below, int n) {
    gcroots::conservative::Object o = heap.alloc(1, 8);
    o.set_u64(heap, 0, static_cast<std::uint64_t>(n));
    o.set_field(heap, 0, below);
    if (n == 0) {
        heap.collect();
        throw std::runtime_error("bottom");
    }
    return conservative_deep(heap, o, n - 1);
}

static void conservative_scheme() {
    using gcroots::conservative::Heap;
    using gcroots::conservative::Object;
    using gcroots::conservative::Root;
    Heap heap(gcroots::mark_region_config(true));
    Object list; // empty
    for (std::uint64_t i = 0; i < 100; i++) {
        Object cell = heap.alloc(1, 8);
        cell.set_u64(heap, 0, i);
        cell.set_field(heap, 0, list);
        list = cell; // a copy is a pointer copy
    }
    heap.collect();
    std::uint64_t sum = 0, n = 0;
    for (Object at = list; !at.empty(); at = at.field(heap, 0)) {
        sum += at.get_u64(heap, 0);
        n++;
    }
    CHECK(n == 100 && sum == 99 * 100 / 2);
    try {
        conservative_deep(heap, list, 40);
        CHECK(false);
    } catch (const std::runtime_error &e) {
        CHECK(std::string(e.what()) == "bottom");
    }
    CHECK(list.get_u64(heap, 0) == 99);
    // Off the stack, roots: a vector of them grows and copies.
    std::vector<Root> kept;
    for (std::uint64_t i = 0; i < 200; i++) {
        Object o = heap.alloc(0, 8);
        o.set_u64(heap, 0, i);
        kept.push_back(Root(heap, o));
    }
    std::vector<Root> copy = kept;
    heap.collect();
    sum = 0;
    for (const Root &r : copy) {
        sum += r.get(heap).get_u64(heap, 0);
    }
    CHECK(sum == 199 * 200 / 2);
    Root moved(std::move(kept[0]));
    CHECK(kept[0].empty() && !moved.empty());
    // Errors.
    try {
        list.get_u64(heap, 8);
        CHECK(false);
    } catch (const gcroots::Error &e) {
        CHECK(e.status() == GCR_ERR_RANGE);
    }
    Heap other(gcroots::mark_region_config(true));
    Object theirs = other.alloc(0, 8);
    try {
        theirs.get_u64(heap, 0);
        CHECK(false);
    } catch (const gcroots::Error &e) {
        CHECK(e.status() == GCR_ERR_STALE);
    }
    try {
        Root(other, theirs).get(heap);
        CHECK(false);
    } catch (const gcroots::Error &e) {
        CHECK(e.status() == GCR_ERR_WRONG_HEAP);
    }
    try {
        Heap semispace(gcroots::config(false));
        CHECK(false);
    } catch (const gcroots::Error &e) {
        CHECK(e.status() == GCR_ERR_UNSUPPORTED);
    }
}

int main() {
    run<gcroots::Intrusive>();
    run<gcroots::Indexed>();
    conservative_scheme();
    if (failures) {
        std::fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    std::printf("cpp_api: all checks passed\n");
    return 0;
}
