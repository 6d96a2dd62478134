// A C++ embedder, written once over gcroots.hpp and run under any scheme
// (`embedder intrusive`, `embedder indexed`, `embedder conservative`): a
// small stack machine whose values live in the garbage-collected heap,
// held by the C++ code in ordinary values: a std::vector as the operand
// stack, a struct `Val{tag, payload}` initialised with braces, copies,
// moves and exceptions. Every run prints the same thing, but for the
// last line's figures under the conservative scheme (a mark-region heap;
// CI compares them).
//
// The values are roots (`S::Root`) because they live in a std::vector:
// under the conservative scheme, only what is on the stack is found
// without one, and `S::keep` roots a fresh object.
//
// Build (after `cargo build -p gcroots-capi`):
//   c++ -std=c++17 -I capi/include embedder.cpp target/debug/libgcroots_capi.a -lpthread -ldl -lm

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "gcroots.hpp"

/// Heap objects: an integer is {0 fields, tag 1, value}; a pair is
/// {2 fields (car, cdr), tag 2}.
enum : std::uint64_t { INT = 1, PAIR = 2 };

/// A value as the embedder's C++ code holds it: a tag it keeps itself and a
/// root to the heap object (the `Val{6, 27}` of the C++ debate).
template <class S> struct Val {
    std::uint64_t tag;
    typename S::Root object;
};

template <class S> class Machine {
  public:
    using Root = typename S::Root;

    explicit Machine(typename S::Heap &heap) : heap_(heap) {}

    Val<S> integer(std::uint64_t n) {
        Root r = S::keep(heap_, heap_.alloc(0, 16));
        S::set_u64(heap_, r, 0, INT);
        S::set_u64(heap_, r, 8, n);
        return Val<S>{INT, r};
    }

    Val<S> pair(const Val<S> &car, const Val<S> &cdr) {
        Root r = S::keep(heap_, heap_.alloc(2, 8));
        S::set_u64(heap_, r, 0, PAIR);
        S::set_field(heap_, r, 0, car.object);
        S::set_field(heap_, r, 1, cdr.object);
        return Val<S>{PAIR, r};
    }

    std::uint64_t value(const Val<S> &v) {
        if (v.tag != INT) {
            throw std::runtime_error("not an integer");
        }
        return S::get_u64(heap_, v.object, 8);
    }

    /// Runs a program of the machine's instructions; the operand stack is
    /// a std::vector of values, which moves its roots when it grows.
    std::uint64_t run(const std::vector<std::string> &program) {
        std::vector<Val<S>> stack;
        for (const auto &op : program) {
            if (op == "add" || op == "mul") {
                Val<S> b = std::move(stack.back());
                stack.pop_back();
                Val<S> a = std::move(stack.back());
                stack.pop_back();
                std::uint64_t x = value(a), y = value(b);
                stack.push_back(integer(op == "add" ? x + y : x * y));
            } else if (op == "dup") {
                stack.push_back(stack.back()); // a copy of a root
            } else if (op == "pair") {
                Val<S> cdr = stack.back();
                stack.pop_back();
                Val<S> car = stack.back();
                stack.pop_back();
                stack.push_back(pair(car, cdr));
            } else if (op == "car") {
                Val<S> p = stack.back();
                stack.pop_back();
                Root car = S::field(heap_, p.object, 0);
                stack.push_back(Val<S>{S::get_u64(heap_, car, 0), car});
            } else if (op == "gc") {
                heap_.collect();
            } else {
                stack.push_back(integer(std::stoull(op)));
            }
        }
        return value(stack.back());
    }

  private:
    typename S::Heap &heap_;
};

template <class S> int demo() {
    typename S::Heap heap(S::default_config(true)); // zeal: collect before every allocation
    Machine<S> m(heap);

    // Aggregates with braces, copied and moved like any struct.
    Val<S> six = m.integer(6);
    Val<S> v{six.tag, six.object};
    Val<S> w = v;
    std::printf("Val{%llu, %llu} copied: %llu\n", (unsigned long long)v.tag,
                (unsigned long long)m.value(v), (unsigned long long)m.value(w));

    // Programs on the operand stack.
    std::vector<std::vector<std::string>> programs = {
        {"6", "27", "pair", "car", "dup", "mul"},
        {"1", "2", "add", "3", "add", "4", "add", "gc", "5", "mul"},
        {"2", "dup", "mul", "dup", "mul", "dup", "mul", "dup", "mul"},
    };
    for (const auto &p : programs) {
        std::string text;
        for (const auto &op : p) {
            text += op + " ";
        }
        std::printf("%s=> %llu\n", text.c_str(), (unsigned long long)m.run(p));
    }

    // A list of 1,000 integers in a vector of values, then summed.
    std::vector<Val<S>> values;
    for (std::uint64_t i = 1; i <= 1000; i++) {
        values.push_back(m.integer(i * i));
    }
    std::uint64_t sum = 0;
    for (const auto &x : values) {
        sum += m.value(x);
    }
    std::printf("sum of squares 1..1000 = %llu\n", (unsigned long long)sum);

    // An error unwinds through frames holding roots.
    try {
        m.run({"1", "2", "pair", "3", "add"});
    } catch (const std::runtime_error &e) {
        std::printf("error: %s\n", e.what());
    }

    values.clear();
    heap.collect();
    gcr_stats_t s = heap.stats();
    // (Not the root count: an indexed copy shares its original's slot, an
    // intrusive copy is a node of its own.)
    std::printf("%llu collections, %llu objects allocated, %zu bytes live\n",
                (unsigned long long)s.collections, (unsigned long long)s.objects_allocated,
                s.live_bytes_after_gc);
    return 0;
}

int main(int argc, char **argv) {
    const char *scheme = argc > 1 ? argv[1] : "intrusive";
    std::fprintf(stderr, "embedder: rooting scheme `%s`\n", scheme);
    if (std::strcmp(scheme, "indexed") == 0) {
        return demo<gcroots::Indexed>();
    }
    if (std::strcmp(scheme, "intrusive") == 0) {
        return demo<gcroots::Intrusive>();
    }
    if (std::strcmp(scheme, "conservative") == 0) {
        return demo<gcroots::Conservative>();
    }
    std::fprintf(stderr, "usage: embedder [intrusive|indexed|conservative]\n");
    return 2;
}
