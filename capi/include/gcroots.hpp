// gcroots.hpp: C++17 RAII classes over the C API (gcroots.h), one pair per
// rooting scheme, and scheme tags for code written once over both.
//
// gcroots::intrusive::Root is a node in the object's own storage, linked
// into its heap's root list. Its copy and move constructors, assignments and
// destructor take no heap: the node knows its list, so a Root works inside
// std::vector (which moves its elements when it grows), in aggregates
// (`Pair{a, b}`), and across exceptions, like any value. So do its reads.
// All of them are inline (gcroots_inline.h), as SpiderMonkey's JS::Rooted
// is: no call into the library unless something is wrong.
//
// gcroots::indexed::Root is a handle to a slot of its heap's table, shaped
// like Wasmtime's `wasmtime::AnyRef` over `OwnedRooted`. Since Wasmtime's
// 2025 owned roots, copying and destroying a handle need no heap either
// (the handle counts itself in its slot's atomic liveness cell); what still
// needs the heap is everything that reaches the object: every read and
// write below takes a `const Heap&`. That argument is the ergonomic cost
// the header shows.
//
// gcroots::intrusive::Pin and gcroots::indexed::Pin (a mark-region heap
// only) keep an object's data bytes where they are, for as long as the Pin
// lives: `data()` can go to memcpy, qsort or a read(2) across collections.
// A Pin is move-only, and unpins when destroyed.
//
// gcroots::conservative::Object is a plain pointer: a heap whose
// collections scan the thread's stack and registers finds the objects its
// locals point to, so copying, assigning and destroying one cost what a
// pointer costs, and take nothing. Only a reference kept off the stack (in
// a std::vector or a `new`ed struct across an allocation) needs a
// gcroots::conservative::Root, an owned root like the indexed one.
//
// Keep roots in C++ containers through these classes, never as raw C
// structs: std::vector<gcroots::intrusive::Root> grows by the move
// constructor, which relinks each node, while a vector of raw
// gcr_intrusive_root_t would be moved by memcpy, which C cannot do to a
// linked root (gcroots.h says what happens). Never memcpy a Root either.
//
// Errors throw gcroots::Error (the C status and message). Copy and move
// operations never throw (copying an indexed root whose twin made by
// memcpy was unrooted gives an empty root).

#ifndef GCROOTS_HPP
#define GCROOTS_HPP

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "gcroots.h"

namespace gcroots {

/// A failed call: its status and the library's message.
class Error : public std::runtime_error {
  public:
    explicit Error(gcr_status_t status)
        : std::runtime_error(std::string(gcr_last_error())), status_(status) {}
    gcr_status_t status() const noexcept { return status_; }

  private:
    gcr_status_t status_;
};

/// Throws an Error unless `status` is GCR_OK.
inline void check(gcr_status_t status) {
    if (status != GCR_OK) {
        throw Error(status);
    }
}

/// A heap configuration: the default one, or zeal mode (collect before
/// every allocation, poison, verify).
inline gcr_config_t config(bool zeal = false) {
    gcr_config_t c;
    gcr_config_default(&c, zeal);
    return c;
}

/// The same with a mark-region main space, which can pin.
inline gcr_config_t mark_region_config(bool zeal = false) {
    gcr_config_t c = config(zeal);
    c.mark_region = true;
    return c;
}

/// The RAII pin both schemes' Pin classes are: the heap's unpin function
/// and heap type are its parameters.
template <typename RawHeap, gcr_status_t (*Unpin)(RawHeap *, gcr_pin_t *)> class BasicPin {
  public:
    BasicPin(RawHeap *heap, gcr_pin_t pin) noexcept : heap_(heap), pin_(pin) {}
    BasicPin(const BasicPin &) = delete;
    BasicPin &operator=(const BasicPin &) = delete;
    BasicPin(BasicPin &&other) noexcept : heap_(other.heap_), pin_(other.pin_) {
        other.pin_.data = nullptr;
    }
    BasicPin &operator=(BasicPin &&other) noexcept {
        std::swap(heap_, other.heap_);
        std::swap(pin_, other.pin_);
        return *this;
    }
    ~BasicPin() {
        if (pin_.data != nullptr) {
            Unpin(heap_, &pin_);
        }
    }

    /// The object's data bytes, where they stay while the Pin lives.
    std::uint8_t *data() const noexcept { return pin_.data; }
    std::size_t size() const noexcept { return pin_.bytes; }

  private:
    RawHeap *heap_;
    gcr_pin_t pin_;
};

namespace intrusive {

class Root;

/// A heap whose roots are intrusive nodes. Move-only.
class Heap {
  public:
    explicit Heap(const gcr_config_t &c = config()) { check(gcr_intrusive_heap_new(&c, &heap_)); }
    ~Heap() { gcr_intrusive_heap_destroy(heap_); }
    Heap(const Heap &) = delete;
    Heap &operator=(const Heap &) = delete;
    Heap(Heap &&other) noexcept : heap_(std::exchange(other.heap_, nullptr)) {}
    Heap &operator=(Heap &&other) noexcept {
        std::swap(heap_, other.heap_);
        return *this;
    }

    /// A new object with `fields` empty reference fields and `bytes` zeroed
    /// data bytes. May collect (every object moves; roots follow).
    Root alloc(std::size_t fields, std::size_t bytes);
    void collect() { check(gcr_intrusive_collect(heap_)); }
    gcr_stats_t stats() const {
        gcr_stats_t s;
        check(gcr_intrusive_stats(heap_, &s));
        return s;
    }
    std::size_t root_count() const noexcept { return gcr_intrusive_root_count(heap_); }
    gcr_intrusive_heap_t *raw() const noexcept { return heap_; }

  private:
    gcr_intrusive_heap_t *heap_ = nullptr;
};

/// A pinned object (mark-region heaps): see BasicPin. Must not outlive its
/// Heap.
using Pin = BasicPin<gcr_intrusive_heap_t, gcr_intrusive_unpin>;

/// A root: holds one object (or nothing), in its own storage. Every
/// operation but allocation is inline (gcroots_inline.h): linking,
/// unlinking, copying and moving the node, and reading and writing the
/// object, with a call into the library only on an error path or for a
/// generational heap's reference store.
class Root {
  public:
    // Every byte zero, not only the heap word: an empty root's node is
    // never read, but GCC cannot always prove it (-Wmaybe-uninitialized
    // in sanitizer builds), and the stores cost little.
    Root() noexcept : root_{} {}
    Root(const Root &other) noexcept {
        gcr_intrusive_root_init_inline(&root_);
        gcr_intrusive_root_copy_inline(&root_, &other.root_);
    }
    Root(Root &&other) noexcept {
        gcr_intrusive_root_init_inline(&root_);
        gcr_intrusive_root_move_inline(&root_, &other.root_);
    }
    Root &operator=(const Root &other) noexcept {
        gcr_intrusive_root_copy_inline(&root_, &other.root_);
        return *this;
    }
    Root &operator=(Root &&other) noexcept {
        gcr_intrusive_root_move_inline(&root_, &other.root_);
        return *this;
    }
    ~Root() { gcr_intrusive_root_destroy_inline(&root_); }

    bool empty() const noexcept { return gcr_intrusive_root_is_empty_inline(&root_); }
    std::uint64_t get_u64(std::size_t offset) const {
        std::uint64_t v;
        check(gcr_intrusive_get_u64_inline(&root_, offset, &v));
        return v;
    }
    void set_u64(std::size_t offset, std::uint64_t v) const {
        check(gcr_intrusive_set_u64_inline(&root_, offset, v));
    }
    /// The object in field `i` (an empty Root if none).
    Root field(std::size_t i) const {
        Root r;
        check(gcr_intrusive_get_field_inline(&root_, i, &r.root_));
        return r;
    }
    /// Sets field `i` to `value`'s object (or empties it).
    void set_field(std::size_t i, const Root &value) const {
        check(gcr_intrusive_set_field_inline(&root_, i, &value.root_));
    }
    bool same(const Root &other) const {
        bool s;
        check(gcr_intrusive_same_inline(&root_, &other.root_, &s));
        return s;
    }
    gcr_intrusive_root_t *raw() noexcept { return &root_; }
    const gcr_intrusive_root_t *raw() const noexcept { return &root_; }

  private:
    gcr_intrusive_root_t root_;
};

inline Root Heap::alloc(std::size_t fields, std::size_t bytes) {
    Root r;
    check(gcr_intrusive_alloc(heap_, fields, bytes, r.raw()));
    return r;
}

/// Pins the object `root` holds (a mark-region heap; may collect).
inline Pin pin(Heap &heap, const Root &root) {
    gcr_pin_t p;
    check(gcr_intrusive_pin(heap.raw(), root.raw(), &p));
    return Pin(heap.raw(), p);
}

} // namespace intrusive

namespace indexed {

class Root;

/// A heap whose roots are indexed handles. Move-only.
class Heap {
  public:
    explicit Heap(const gcr_config_t &c = config()) { check(gcr_indexed_heap_new(&c, &heap_)); }
    ~Heap() { gcr_indexed_heap_destroy(heap_); }
    Heap(const Heap &) = delete;
    Heap &operator=(const Heap &) = delete;
    Heap(Heap &&other) noexcept : heap_(std::exchange(other.heap_, nullptr)) {}
    Heap &operator=(Heap &&other) noexcept {
        std::swap(heap_, other.heap_);
        return *this;
    }

    Root alloc(std::size_t fields, std::size_t bytes);
    void collect() { check(gcr_indexed_collect(heap_)); }
    gcr_stats_t stats() const {
        gcr_stats_t s;
        check(gcr_indexed_stats(heap_, &s));
        return s;
    }
    std::size_t root_count() const noexcept { return gcr_indexed_root_count(heap_); }
    gcr_indexed_heap_t *raw() const noexcept { return heap_; }

  private:
    gcr_indexed_heap_t *heap_ = nullptr;
};

/// A pinned object (mark-region heaps): see BasicPin. Must not outlive its
/// Heap.
using Pin = BasicPin<gcr_indexed_heap_t, gcr_indexed_unpin>;

/// A root: a handle to a slot of its heap's table (or nothing). Copying
/// and destroying it are inline (an atomic compare-and-swap on its slot's
/// liveness cell, gcroots_inline.h); reads are calls, with the heap.
class Root {
  public:
    Root() noexcept { gcr_indexed_root_init_inline(&root_); }
    Root(const Root &other) noexcept {
        gcr_indexed_root_init_inline(&root_);
        gcr_indexed_root_clone_inline(&other.root_, &root_);
    }
    Root(Root &&other) noexcept : root_(other.root_) { gcr_indexed_root_init_inline(&other.root_); }
    Root &operator=(const Root &other) noexcept {
        gcr_indexed_root_clone_inline(&other.root_, &root_);
        return *this;
    }
    Root &operator=(Root &&other) noexcept {
        if (this != &other) {
            gcr_indexed_root_unroot_inline(&root_);
            root_ = other.root_;
            gcr_indexed_root_init_inline(&other.root_);
        }
        return *this;
    }
    ~Root() { gcr_indexed_root_unroot_inline(&root_); }

    bool empty() const noexcept { return gcr_indexed_root_is_empty_inline(&root_); }
    // Everything that reaches the object takes the heap.
    std::uint64_t get_u64(const Heap &heap, std::size_t offset) const {
        std::uint64_t v;
        check(gcr_indexed_get_u64(heap.raw(), &root_, offset, &v));
        return v;
    }
    void set_u64(const Heap &heap, std::size_t offset, std::uint64_t v) const {
        check(gcr_indexed_set_u64(heap.raw(), &root_, offset, v));
    }
    Root field(const Heap &heap, std::size_t i) const {
        Root r;
        check(gcr_indexed_get_field(heap.raw(), &root_, i, &r.root_));
        return r;
    }
    void set_field(const Heap &heap, std::size_t i, const Root &value) const {
        check(gcr_indexed_set_field(heap.raw(), &root_, i, &value.root_));
    }
    bool same(const Heap &heap, const Root &other) const {
        bool s;
        check(gcr_indexed_same(heap.raw(), &root_, &other.root_, &s));
        return s;
    }
    gcr_indexed_root_t *raw() noexcept { return &root_; }
    const gcr_indexed_root_t *raw() const noexcept { return &root_; }

  private:
    gcr_indexed_root_t root_;
};

inline Root Heap::alloc(std::size_t fields, std::size_t bytes) {
    Root r;
    check(gcr_indexed_alloc(heap_, fields, bytes, r.raw()));
    return r;
}

/// Pins the object `root` holds (a mark-region heap; may collect).
inline Pin pin(Heap &heap, const Root &root) {
    gcr_pin_t p;
    check(gcr_indexed_pin(heap.raw(), root.raw(), &p));
    return Pin(heap.raw(), p);
}

} // namespace indexed

namespace conservative {

class Object;
class Root;

/// A heap whose collections scan this thread's stack (mark-region only:
/// the default configuration here is mark-region). Move-only; it belongs
/// to the thread that made it.
class Heap {
  public:
    explicit Heap(const gcr_config_t &c = mark_region_config()) {
        check(gcr_conservative_heap_new(&c, &heap_));
    }
    ~Heap() { gcr_conservative_heap_destroy(heap_); }
    Heap(const Heap &) = delete;
    Heap &operator=(const Heap &) = delete;
    Heap(Heap &&other) noexcept : heap_(std::exchange(other.heap_, nullptr)) {}
    Heap &operator=(Heap &&other) noexcept {
        std::swap(heap_, other.heap_);
        return *this;
    }

    Object alloc(std::size_t fields, std::size_t bytes);
    void collect() { check(gcr_conservative_collect(heap_)); }
    gcr_stats_t stats() const {
        gcr_stats_t s;
        check(gcr_conservative_stats(heap_, &s));
        return s;
    }
    gcr_conservative_heap_t *raw() const noexcept { return heap_; }

  private:
    gcr_conservative_heap_t *heap_ = nullptr;
};

/// An object, or nothing: its address. Kept in a local (on the stack, or
/// in a register), it keeps its object alive and where it is across
/// collections; nothing else is needed to copy or drop it. Every access
/// takes the heap, which checks the address is one of its objects.
class Object {
  public:
    Object() noexcept = default;
    explicit Object(gcr_object_t *p) noexcept : p_(p) {}

    bool empty() const noexcept { return p_ == nullptr; }
    std::uint64_t get_u64(const Heap &heap, std::size_t offset) const {
        std::uint64_t v;
        check(gcr_conservative_get_u64(heap.raw(), p_, offset, &v));
        return v;
    }
    void set_u64(const Heap &heap, std::size_t offset, std::uint64_t v) const {
        check(gcr_conservative_set_u64(heap.raw(), p_, offset, v));
    }
    Object field(const Heap &heap, std::size_t i) const {
        gcr_object_t *f;
        check(gcr_conservative_get_field(heap.raw(), p_, i, &f));
        return Object(f);
    }
    void set_field(const Heap &heap, std::size_t i, const Object &value) const {
        check(gcr_conservative_set_field(heap.raw(), p_, i, value.p_));
    }
    /// The same object: the same address (objects a local points to do
    /// not move).
    bool same(const Object &other) const noexcept { return p_ == other.p_; }
    gcr_object_t *raw() const noexcept { return p_; }

  private:
    gcr_object_t *p_ = nullptr;
};

inline Object Heap::alloc(std::size_t fields, std::size_t bytes) {
    gcr_object_t *p;
    check(gcr_conservative_alloc(heap_, fields, bytes, &p));
    return Object(p);
}

/// A long-lived root, for a reference kept off the stack: an owned root
/// (copied and destroyed inline, as the indexed Root is).
class Root {
  public:
    Root() noexcept { gcr_indexed_root_init_inline(&root_); }
    Root(const Heap &heap, const Object &o) {
        gcr_indexed_root_init_inline(&root_);
        check(gcr_conservative_persist(heap.raw(), o.raw(), &root_));
    }
    Root(const Root &other) noexcept {
        gcr_indexed_root_init_inline(&root_);
        gcr_indexed_root_clone_inline(&other.root_, &root_);
    }
    Root(Root &&other) noexcept : root_(other.root_) { gcr_indexed_root_init_inline(&other.root_); }
    Root &operator=(Root other) noexcept {
        std::swap(root_, other.root_);
        return *this;
    }
    ~Root() { gcr_indexed_root_unroot_inline(&root_); }

    bool empty() const noexcept { return gcr_indexed_root_is_empty_inline(&root_); }
    Object get(const Heap &heap) const {
        gcr_object_t *p;
        check(gcr_conservative_root_get(heap.raw(), &root_, &p));
        return Object(p);
    }

  private:
    gcr_conservative_root_t root_;
};

} // namespace conservative

/// Scheme tags, for code written once over the schemes: each names its
/// Heap, its Root (a value held anywhere) and its Local (a value held in a
/// local variable: the Root, but for the conservative scheme's plain
/// pointer), and forwards the object accessors (the intrusive one drops
/// the heap argument, which its roots do not need).
struct Intrusive {
    using Heap = intrusive::Heap;
    using Root = intrusive::Root;
    using Local = Root;
    static Root keep(const Heap &, Root r) { return r; }
    using Pin = intrusive::Pin;
    static Pin pin(Heap &h, const Root &r) { return intrusive::pin(h, r); }
    static constexpr const char *name = "intrusive";
    static gcr_config_t default_config(bool zeal = false) { return config(zeal); }
    static std::uint64_t get_u64(const Heap &, const Root &r, std::size_t o) { return r.get_u64(o); }
    static void set_u64(const Heap &, const Root &r, std::size_t o, std::uint64_t v) { r.set_u64(o, v); }
    static Root field(const Heap &, const Root &r, std::size_t i) { return r.field(i); }
    static void set_field(const Heap &, const Root &r, std::size_t i, const Root &v) { r.set_field(i, v); }
    static bool same(const Heap &, const Root &a, const Root &b) { return a.same(b); }
};

/// The conservative scheme's tag. Its `Local`, for a value held in a
/// local variable, is the plain `Object` (the stack is what roots it); its
/// `Root`, for a value held anywhere (a std::vector, a struct on the
/// heap), is an owned root. `keep` makes the one from the other; every
/// accessor takes either.
struct Conservative {
    using Heap = conservative::Heap;
    using Local = conservative::Object;
    using Root = conservative::Root;
    static constexpr const char *name = "conservative";
    static gcr_config_t default_config(bool zeal = false) { return mark_region_config(zeal); }
    static Root keep(const Heap &h, const Local &o) { return Root(h, o); }
    static std::uint64_t get_u64(const Heap &h, const Local &r, std::size_t o) { return r.get_u64(h, o); }
    static void set_u64(const Heap &h, const Local &r, std::size_t o, std::uint64_t v) { r.set_u64(h, o, v); }
    static Local field(const Heap &h, const Local &r, std::size_t i) { return r.field(h, i); }
    static void set_field(const Heap &h, const Local &r, std::size_t i, const Local &v) { r.set_field(h, i, v); }
    static bool same(const Heap &, const Local &a, const Local &b) { return a.same(b); }
    // The same through roots (each reads the root's object first).
    static std::uint64_t get_u64(const Heap &h, const Root &r, std::size_t o) { return r.get(h).get_u64(h, o); }
    static void set_u64(const Heap &h, const Root &r, std::size_t o, std::uint64_t v) {
        r.get(h).set_u64(h, o, v);
    }
    static Root field(const Heap &h, const Root &r, std::size_t i) { return keep(h, r.get(h).field(h, i)); }
    static void set_field(const Heap &h, const Root &r, std::size_t i, const Root &v) {
        r.get(h).set_field(h, i, v.get(h));
    }
};

struct Indexed {
    using Heap = indexed::Heap;
    using Root = indexed::Root;
    using Local = Root;
    static Root keep(const Heap &, Root r) { return r; }
    using Pin = indexed::Pin;
    static Pin pin(Heap &h, const Root &r) { return indexed::pin(h, r); }
    static constexpr const char *name = "indexed";
    static gcr_config_t default_config(bool zeal = false) { return config(zeal); }
    static std::uint64_t get_u64(const Heap &h, const Root &r, std::size_t o) { return r.get_u64(h, o); }
    static void set_u64(const Heap &h, const Root &r, std::size_t o, std::uint64_t v) { r.set_u64(h, o, v); }
    static Root field(const Heap &h, const Root &r, std::size_t i) { return r.field(h, i); }
    static void set_field(const Heap &h, const Root &r, std::size_t i, const Root &v) { r.set_field(h, i, v); }
    static bool same(const Heap &h, const Root &a, const Root &b) { return a.same(h, b); }
};

} // namespace gcroots

#endif // GCROOTS_HPP
