/* gcroots: the C API of two GC rooting schemes over one moving collector.
 *
 * Generated from capi/src by cbindgen (capi/tests/header.rs); do not edit.
 * Every function documents what it does with bad input. C++: gcroots.hpp. */

#ifndef GCROOTS_H
#define GCROOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// A heap whose roots are intrusive. Made by gcr_intrusive_heap_new, ended
// by gcr_intrusive_heap_destroy; used from one thread. Opaque, but its
// first bytes are a gcr_intrusive_heap_inline_t, which the inline
// functions (gcroots_inline.h) read.
//
// Its root list lives beside it: when the heap is destroyed while roots
// still hold objects, the list (and this block) stays until the last of
// them is destroyed, and those roots answer GCR_ERR_DESTROYED.
typedef struct gcr_intrusive_heap_t gcr_intrusive_heap_t;

// An indexed root's size in bytes, for the header's static assertions.
#define GCR_INDEXED_ROOT_SIZE 32

// Where a liveness cell's generation starts.
#define GCR_INDEXED_CELL_GENERATION_SHIFT 32

// A liveness cell's count mask.
#define GCR_INDEXED_CELL_COUNT_MASK 4294967295

// The offsets of a root's words, in bytes, for the header's static
// assertions: the heap, then the node's next, pprev, value and list.
#define GCR_INTRUSIVE_ROOT_SIZE 40

// See [`GCR_INTRUSIVE_ROOT_SIZE`].
#define GCR_INTRUSIVE_ROOT_NODE 8

// See [`GCR_INTRUSIVE_ROOT_SIZE`].
#define GCR_INTRUSIVE_ROOT_VALUE 24

// The object header's low byte, as `gcroots::layout::HEADER_MAGIC`.
#define GCR_OBJECT_MAGIC 165

// The mask that clears the remembered bit from a header's low byte.
#define GCR_OBJECT_MAGIC_MASK 253

// As `gcroots::layout::BYTES_SHIFT`.
#define GCR_OBJECT_BYTES_SHIFT 8

// As `gcroots::layout::BYTES_MASK`.
#define GCR_OBJECT_BYTES_MASK 268435455

// As `gcroots::layout::FIELDS_SHIFT`.
#define GCR_OBJECT_FIELDS_SHIFT 36

// What a call did.
typedef enum gcr_status_t {
  // It worked.
  GCR_OK = 0,
  // A pointer argument was null.
  GCR_ERR_NULL = 1,
  // A root argument holds no object.
  GCR_ERR_EMPTY = 2,
  // A root belongs to another heap than the one it is used with.
  GCR_ERR_WRONG_HEAP = 3,
  // The root's heap was destroyed.
  GCR_ERR_DESTROYED = 4,
  // A field index or data offset is out of range for the object.
  GCR_ERR_RANGE = 5,
  // The object is larger than the heap's limit (or the per-object limits).
  GCR_ERR_TOO_LARGE = 6,
  // The live data plus the new object would exceed the heap's limit.
  GCR_ERR_OUT_OF_MEMORY = 7,
  // The system allocator refused memory.
  GCR_ERR_SYSTEM = 8,
  // The configuration is invalid.
  GCR_ERR_CONFIG = 9,
  // A broken invariant was detected (see [`gcr_last_error`]).
  GCR_ERR_MISUSE = 10,
  // The heap's mode cannot do it (pinning in a copying heap).
  GCR_ERR_UNSUPPORTED = 11,
  // An indexed root was already unrooted: a copy of its bytes (memcpy,
  // struct assignment) was unrooted first, which unroots them all.
  GCR_ERR_STALE = 12,
} gcr_status_t;

// A heap whose stack roots are found by scanning the stack. Made by
// [`gcr_conservative_heap_new`] (in a mark-region configuration without a
// nursery), ended by [`gcr_conservative_heap_destroy`]. It belongs to the
// thread that made it: a collection on another thread is refused
// (`GCR_ERR_MISUSE`), since its stack roots are on that thread's stack.
typedef struct gcr_conservative_heap_t gcr_conservative_heap_t;

// A heap whose roots are indexed handles. Made by
// [`gcr_indexed_heap_new`], ended by [`gcr_indexed_heap_destroy`]; may move
// between threads (used by one at a time).
typedef struct gcr_indexed_heap_t gcr_indexed_heap_t;

// An object of a conservative heap: C holds `gcr_object_t *`, the
// object's address, and never reads through it itself (an incomplete
// type in C).
typedef struct gcr_object_t gcr_object_t;

// How a heap sizes itself and how much checking it does (the Rust
// `gcroots::Config`; start from [`gcr_config_default`]).
typedef struct gcr_config_t {
  // The initial size of each semispace, in bytes.
  size_t initial_bytes;
  // The limit on live data, in bytes (rounded down to 8).
  size_t max_bytes;
  // Grow when live data after a collection exceeds this percentage of a
  // semispace (1 to 100).
  uint8_t grow_percent;
  // Collect before every allocation.
  bool stress;
  // Poison evacuated space.
  bool poison;
  // Verify the heap after every collection.
  bool verify;
  // 0 for no nursery; otherwise the nursery size of a generational
  // heap, in bytes.
  size_t nursery_bytes;
  // A mark-region main space (Immix: objects marked in place, fragmented
  // blocks evacuated; objects can be pinned) instead of semispaces.
  bool mark_region;
  // In a mark-region heap, whether collections evacuate fragmented
  // blocks.
  bool evacuate;
} gcr_config_t;

// What a heap's collector has done, and its size.
typedef struct gcr_stats_t {
  // Collections run, minor and full.
  uint64_t collections;
  // Of those, minor collections.
  uint64_t minor_collections;
  // Objects allocated.
  uint64_t objects_allocated;
  // Bytes allocated.
  uint64_t bytes_allocated;
  // Bytes copied by collections.
  uint64_t bytes_copied;
  // Roots visited by collections.
  uint64_t roots_scanned;
  // Bytes live after the last collection.
  size_t live_bytes_after_gc;
  // Bytes in use.
  size_t used_bytes;
  // The size of one semispace (of the budget, in a mark-region heap).
  size_t capacity_bytes;
  // Objects pinned now.
  size_t objects_pinned;
} gcr_stats_t;

// An owned root's handle (`gcroots_indexed::layout`): its slot's liveness
// cell (`generation << 32 | count`, updated atomically, never freed), the
// table and slot, and the generation it was issued with.
typedef struct gcr_indexed_handle_t {
  // The slot's liveness cell.
  uint64_t *cell;
  // The table's id.
  uint32_t table;
  // The slot's index.
  uint32_t index;
  // The occupancy's generation.
  uint32_t generation;
} gcr_indexed_handle_t;

// A root: a handle to a slot of a heap's table. 32 bytes, aligned like a
// pointer. All-zero bytes are an empty root, as is one that
// [`gcr_indexed_root_init`] initialised; end a root with
// [`gcr_indexed_root_unroot`]. It may be cloned or unrooted on any thread.
//
// Copy it with [`gcr_indexed_root_clone`], which counts the copy. A copy
// of its bytes (`memcpy`, struct assignment, `realloc` of an array of
// roots) is not counted: it is a move if the source is then forgotten
// (re-initialised empty, or its memory freed: what the C++ move
// constructor and `realloc` do), and otherwise the first of the twins to
// be unrooted unroots both; every later use of the other, unrooting it
// included, is `GCR_ERR_STALE`, and touches no freed memory (the slot's
// liveness cell is never freed).
//
// Its fields belong to this library and to the header's inline clone and
// unroot (`gcroots_inline.h`).
typedef struct gcr_indexed_root_t {
  // 1 while the root holds a handle, 0 while empty.
  size_t full;
  // The handle, while `full`; uninitialised memory otherwise.
  struct gcr_indexed_handle_t handle;
} gcr_indexed_root_t;

// A long-lived root of a conservative heap: an indexed root
// (`gcr_indexed_root_t`), initialised, cloned, tested and unrooted with
// the indexed functions, read with [`gcr_conservative_root_get`].
typedef struct gcr_indexed_root_t gcr_conservative_root_t;

// A pinned object: its data bytes stay where `data` points, and the
// object alive, until the pin is ended with `gcr_*_unpin` (or its heap is
// destroyed). Only a mark-region heap can pin (`gcr_config_t::mark_region`).
//
// `data` and `bytes` are for the caller to read; the other fields are the
// heap's. A pin is a plain value: a copy made with `memcpy` or assignment
// names the same pin, and the second of two unpins is refused with
// `GCR_ERR_MISUSE` (the pin was already ended), never a double free.
typedef struct gcr_pin_t {
  // The object's first data byte (null for an ended pin).
  uint8_t *data;
  // How many data bytes the object has.
  size_t bytes;
  // Private: the pin table of the heap that made it.
  uint64_t table;
  // Private: its slot in that table.
  uint32_t slot;
  // Private: the slot's generation when the pin was made.
  uint32_t generation;
} gcr_pin_t;

// The node of a root that holds an object: a node of its heap's root
// list (`gcroots_intrusive::layout`), linked at the list's persistent
// head. Its fields belong to the library and the header's inline
// functions.
typedef struct gcr_intrusive_node_t {
  // The node linked before this one (older), or null.
  struct gcr_intrusive_node_t *next;
  // The cell that points at this node: the list's head, or the `next`
  // of the node linked after it.
  struct gcr_intrusive_node_t **pprev;
  // The object's address: its header word.
  size_t value;
  // The root list (`gcr_intrusive_heap_inline_t::list`).
  const void *list;
} gcr_intrusive_node_t;

// A root: a node in the caller's memory. 40 bytes, aligned like a
// pointer. All-zero bytes are an empty root, as is one that
// [`gcr_intrusive_root_init`] initialised. Its fields belong to this
// library and to the header's inline functions: read and write them only
// through those.
//
// While it holds an object it is linked into its heap's root list, and
// must stay where it is: copy or move it only with
// [`gcr_intrusive_root_copy`] and [`gcr_intrusive_root_move`], and end it
// with [`gcr_intrusive_root_destroy`] before its memory goes. Never copy
// its bytes (`memcpy`, struct assignment, `realloc` or `qsort` of an
// array of roots): reading through such a copy is `GCR_ERR_MISUSE`, but
// the original's memory stays linked, and freeing it without destroying
// the root is undefined behaviour (the collector walks it).
typedef struct gcr_intrusive_root_t {
  // The heap; null while the root is empty (and then `node` means
  // nothing).
  const gcr_intrusive_heap_t *heap;
  // The node linked into the heap's root list while `heap` is not null;
  // uninitialised memory otherwise (an initialised root need only have
  // `heap` written, so Rust must not assume more).
  struct gcr_intrusive_node_t node;
} gcr_intrusive_root_t;

// What the header's inline functions read of a heap: the first bytes of
// every `gcr_intrusive_heap_t`.
typedef struct gcr_intrusive_heap_inline_t {
  // The cell holding the newest linked node (the root list's persistent
  // head), where a new node links.
  struct gcr_intrusive_node_t **head;
  // The list word of every node of this heap.
  const void *list;
  // Whether `gcr_intrusive_heap_destroy` ran: reads then take the calls
  // (`GCR_ERR_DESTROYED`), and the last root destroyed frees the block
  // ([`gcr_intrusive_heap_release`]).
  bool destroyed;
  // Whether the heap is generational: a reference store then takes the
  // call, for its write barrier.
  bool barrier;
} gcr_intrusive_heap_inline_t;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// Fills `out` with the default configuration (1 MiB semispaces growing at
// 50% occupancy up to 1 GiB, no checking), or zeal mode (collect before
// every allocation, poison, verify) if `zeal` is true. Does nothing if
// `out` is null.
//
// # Safety
//
// `out` is null or valid for writing a `gcr_config_t`.
void gcr_config_default(struct gcr_config_t *out, bool zeal);

// A description of the last failure on this thread, in UTF-8; empty if
// none. Valid until the next call into this library on this thread.
const char *gcr_last_error(void);

// Makes a heap with `config` (null: the default mark-region
// configuration) and stores it in `*out`. Errors: `GCR_ERR_NULL`,
// `GCR_ERR_CONFIG`, `GCR_ERR_UNSUPPORTED` (a mode that cannot pin: not
// mark-region, or with a nursery), `GCR_ERR_SYSTEM`.
//
// # Safety
//
// `config` is null or valid for reading; `out` is null or valid for
// writing a pointer.
enum gcr_status_t gcr_conservative_heap_new(const struct gcr_config_t *config,
                                            struct gcr_conservative_heap_t **out);

// Destroys a heap. Its roots still need `gcr_indexed_root_unroot`. Does
// nothing if `heap` is null.
//
// # Safety
//
// `heap` is null or came from [`gcr_conservative_heap_new`] and was not
// destroyed; it is not used again.
void gcr_conservative_heap_destroy(struct gcr_conservative_heap_t *heap);

// Runs a collection: every object a word of this thread's stack or
// registers points into stays where it is; the others reachable from
// them or from roots may move. Errors: `GCR_ERR_NULL`; `GCR_ERR_MISUSE`
// on another thread than the heap's.
//
// # Safety
//
// `heap` is null or a live heap of this API.
enum gcr_status_t gcr_conservative_collect(struct gcr_conservative_heap_t *heap);

// Stores the heap's statistics in `*out`. Errors: `GCR_ERR_NULL`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or valid for
// writing.
enum gcr_status_t gcr_conservative_stats(struct gcr_conservative_heap_t *heap,
                                         struct gcr_stats_t *out);

// Allocates an object with `fields` reference fields (empty) and `bytes`
// bytes of data (zero) and stores its address in `*out`: keep it in a
// local, and the collector keeps the object. May collect first.
//
// Errors: `GCR_ERR_NULL`; `GCR_ERR_TOO_LARGE`, `GCR_ERR_OUT_OF_MEMORY`
// (the heap keeps working); `GCR_ERR_SYSTEM`; `GCR_ERR_MISUSE` if it
// collects on another thread than the heap's.
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or valid for
// writing a pointer.
enum gcr_status_t gcr_conservative_alloc(struct gcr_conservative_heap_t *heap,
                                         size_t fields,
                                         size_t bytes,
                                         struct gcr_object_t **out);

// Reads the 8 data bytes at byte `offset` of `obj` into `*out`. Errors:
// `GCR_ERR_NULL`, `GCR_ERR_STALE` (not an object of this heap),
// `GCR_ERR_RANGE`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or valid for
// writing.
enum gcr_status_t gcr_conservative_get_u64(struct gcr_conservative_heap_t *heap,
                                           const struct gcr_object_t *obj,
                                           size_t offset,
                                           uint64_t *out);

// Writes `value` to the 8 data bytes at byte `offset` of `obj`. Errors
// as [`gcr_conservative_get_u64`].
//
// # Safety
//
// `heap` is null or a live heap of this API.
enum gcr_status_t gcr_conservative_set_u64(struct gcr_conservative_heap_t *heap,
                                           const struct gcr_object_t *obj,
                                           size_t offset,
                                           uint64_t value);

// Stores field `i` of `obj` in `*out` (null for none). Errors as
// [`gcr_conservative_get_u64`].
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or valid for
// writing a pointer.
enum gcr_status_t gcr_conservative_get_field(struct gcr_conservative_heap_t *heap,
                                             const struct gcr_object_t *obj,
                                             size_t i,
                                             struct gcr_object_t **out);

// Makes field `i` of `obj` hold `value` (null for none). Errors as
// [`gcr_conservative_get_u64`], for either object.
//
// # Safety
//
// `heap` is null or a live heap of this API.
enum gcr_status_t gcr_conservative_set_field(struct gcr_conservative_heap_t *heap,
                                             const struct gcr_object_t *obj,
                                             size_t i,
                                             const struct gcr_object_t *value);

// Stores `obj`'s number of fields and data bytes. Errors as
// [`gcr_conservative_get_u64`].
//
// # Safety
//
// `heap` is null or a live heap of this API; `fields` and `bytes` are
// null or valid for writing.
enum gcr_status_t gcr_conservative_shape(struct gcr_conservative_heap_t *heap,
                                         const struct gcr_object_t *obj,
                                         size_t *fields,
                                         size_t *bytes);

// Makes `out` a long-lived root of `obj` (dropping the handle it held),
// for a reference kept outside the stack. Errors as
// [`gcr_conservative_get_u64`].
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or an
// initialised root.
enum gcr_status_t gcr_conservative_persist(struct gcr_conservative_heap_t *heap,
                                           const struct gcr_object_t *obj,
                                           gcr_conservative_root_t *out);

// Stores the object `root` holds in `*out`. Errors: `GCR_ERR_NULL`,
// `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`, `GCR_ERR_STALE`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` is null or an
// initialised root; `out` is null or valid for writing a pointer.
enum gcr_status_t gcr_conservative_root_get(struct gcr_conservative_heap_t *heap,
                                            const gcr_conservative_root_t *root,
                                            struct gcr_object_t **out);

// Makes a heap with `config` (null: the default) and stores it in `*out`.
// Errors: `GCR_ERR_NULL`, `GCR_ERR_CONFIG`, `GCR_ERR_SYSTEM`.
//
// # Safety
//
// `config` is null or valid for reading; `out` is null or valid for
// writing a pointer.
enum gcr_status_t gcr_indexed_heap_new(const struct gcr_config_t *config,
                                       struct gcr_indexed_heap_t **out);

// Destroys a heap. Its roots still need [`gcr_indexed_root_unroot`] (a
// root outlives its table harmlessly: its handle holds no pointer into
// it). Does nothing if `heap` is null.
//
// # Safety
//
// `heap` is null or came from [`gcr_indexed_heap_new`] and was not
// destroyed; it is not used again.
void gcr_indexed_heap_destroy(struct gcr_indexed_heap_t *heap);

// Runs a collection (after reclaiming the slots of unrooted handles).
// Errors: `GCR_ERR_NULL`.
//
// # Safety
//
// `heap` is null or a live heap of this API.
enum gcr_status_t gcr_indexed_collect(struct gcr_indexed_heap_t *heap);

// Stores the heap's statistics in `*out`. Errors: `GCR_ERR_NULL`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or valid for
// writing.
enum gcr_status_t gcr_indexed_stats(const struct gcr_indexed_heap_t *heap, struct gcr_stats_t *out);

// How many roots hold objects of `heap` (0 if `heap` is null); handles
// unrooted since the last collection are not counted.
//
// # Safety
//
// `heap` is null or a live heap of this API.
size_t gcr_indexed_root_count(const struct gcr_indexed_heap_t *heap);

// Allocates an object with `fields` reference fields (empty) and `bytes`
// bytes of data (zero), and makes `out` hold it (dropping the handle it
// held). May collect first.
//
// Errors: `GCR_ERR_NULL`; `GCR_ERR_TOO_LARGE`, `GCR_ERR_OUT_OF_MEMORY`
// (the heap keeps working); `GCR_ERR_SYSTEM`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or an
// initialised root.
enum gcr_status_t gcr_indexed_alloc(struct gcr_indexed_heap_t *heap,
                                    size_t fields,
                                    size_t bytes,
                                    struct gcr_indexed_root_t *out);

// Initialises `root` empty. Does nothing if `root` is null.
//
// # Safety
//
// `root` is null or valid for writing a `gcr_indexed_root_t`, and does
// not hold a handle (that would leak its slot).
void gcr_indexed_root_init(struct gcr_indexed_root_t *root);

// Makes `out` a clone of `src` (another handle to the same slot: the
// object stays rooted until every clone is unrooted), dropping the handle
// `out` held; empty if `src` is. No heap argument (as
// `wasmtime_anyref_clone`). Does nothing if either is null or they are
// the same root. `GCR_ERR_STALE` (and `out` empty) if `src` was already
// unrooted through a copy of its bytes; `GCR_OK` otherwise.
//
// # Safety
//
// Each is null or an initialised root.
enum gcr_status_t gcr_indexed_root_clone(const struct gcr_indexed_root_t *src,
                                         struct gcr_indexed_root_t *out);

// Unroots `root` and leaves it empty: its slot is freed once no clone is
// left (lazily: before the next collection at the latest). No heap
// argument (as `wasmtime_anyref_unroot`); may run on any thread. Does
// nothing if `root` is null or empty. `GCR_ERR_STALE` if it no longer
// rooted anything: a copy of its bytes was unrooted first, or its heap
// was destroyed (the root is emptied, and nothing else happens);
// `GCR_OK` otherwise.
//
// # Safety
//
// `root` is null or an initialised root.
enum gcr_status_t gcr_indexed_root_unroot(struct gcr_indexed_root_t *root);

// Whether `root` holds no object (true if null).
//
// # Safety
//
// `root` is null or an initialised root.
bool gcr_indexed_root_is_empty(const struct gcr_indexed_root_t *root);

// Reads 8 data bytes at `offset` of the object `root` holds, on `heap`.
//
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP` (a root of
// another heap, or of a destroyed one), `GCR_ERR_RANGE`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` is null or an
// initialised root; `out` is null or valid for writing.
enum gcr_status_t gcr_indexed_get_u64(const struct gcr_indexed_heap_t *heap,
                                      const struct gcr_indexed_root_t *root,
                                      size_t offset,
                                      uint64_t *out);

// Writes 8 data bytes at `offset` of the object `root` holds, on `heap`.
// Errors: as [`gcr_indexed_get_u64`].
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` is null or an
// initialised root.
enum gcr_status_t gcr_indexed_set_u64(const struct gcr_indexed_heap_t *heap,
                                      const struct gcr_indexed_root_t *root,
                                      size_t offset,
                                      uint64_t value);

// Makes `out` hold the object in field `i` of the object `root` holds
// (empty if the field is), on `heap`. `out` may be `root` itself.
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`,
// `GCR_ERR_RANGE`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` and `out` are null or
// initialised roots.
enum gcr_status_t gcr_indexed_get_field(const struct gcr_indexed_heap_t *heap,
                                        const struct gcr_indexed_root_t *root,
                                        size_t i,
                                        struct gcr_indexed_root_t *out);

// Sets field `i` of the object `root` holds to the object `value` holds,
// or empties it if `value` is null or empty, on `heap`. Errors:
// `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`, `GCR_ERR_RANGE`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` and `value` are null
// or initialised roots.
enum gcr_status_t gcr_indexed_set_field(const struct gcr_indexed_heap_t *heap,
                                        const struct gcr_indexed_root_t *root,
                                        size_t i,
                                        const struct gcr_indexed_root_t *value);

// Stores the shape of the object `root` holds in `*fields` and `*bytes`.
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` is null or an
// initialised root; `fields` and `bytes` are null or valid for writing.
enum gcr_status_t gcr_indexed_shape(const struct gcr_indexed_heap_t *heap,
                                    const struct gcr_indexed_root_t *root,
                                    size_t *fields,
                                    size_t *bytes);

// Stores in `*out` whether `a` and `b` hold the same object, on `heap`.
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `a` and `b` are null or
// initialised roots; `out` is null or valid for writing.
enum gcr_status_t gcr_indexed_same(const struct gcr_indexed_heap_t *heap,
                                   const struct gcr_indexed_root_t *a,
                                   const struct gcr_indexed_root_t *b,
                                   bool *out);

// Pins the object `root` holds and stores the pin in `*out`: until
// [`gcr_indexed_unpin`] the object stays alive and its data stays at
// `out->data` (`out->bytes` long), across collections. In a generational
// heap a young object is promoted first (a minor collection).
//
// Errors: `GCR_ERR_NULL`; `GCR_ERR_EMPTY`; `GCR_ERR_WRONG_HEAP`;
// `GCR_ERR_UNSUPPORTED` if the heap is not mark-region.
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` is null or an
// initialised root; `out` is null or valid for writing.
enum gcr_status_t gcr_indexed_pin(struct gcr_indexed_heap_t *heap,
                                  const struct gcr_indexed_root_t *root,
                                  struct gcr_pin_t *out);

// Ends a pin of `heap` and empties `*pin` (its `data` becomes null).
//
// Errors: `GCR_ERR_NULL`; `GCR_ERR_WRONG_HEAP` if the pin is another
// heap's; `GCR_ERR_MISUSE` if it was already ended (through a copy).
//
// # Safety
//
// `heap` is null or a live heap of this API; `pin` is null or valid for
// reading and writing.
enum gcr_status_t gcr_indexed_unpin(struct gcr_indexed_heap_t *heap, struct gcr_pin_t *pin);

// Makes a heap with `config` (null: the default) and stores it in `*out`.
//
// Errors: `GCR_ERR_NULL` if `out` is null; `GCR_ERR_CONFIG` if the
// configuration is invalid; `GCR_ERR_SYSTEM` if the allocator refuses.
//
// # Safety
//
// `config` is null or valid for reading; `out` is null or valid for
// writing a pointer.
enum gcr_status_t gcr_intrusive_heap_new(const struct gcr_config_t *config,
                                         gcr_intrusive_heap_t **out);

// Destroys a heap. Its roots that still hold objects answer
// `GCR_ERR_DESTROYED` from then on, and must still be destroyed; the
// heap's root list is freed with the last of them. Does nothing if `heap`
// is null.
//
// # Safety
//
// `heap` is null or came from [`gcr_intrusive_heap_new`] and was not
// destroyed; it is not used again.
void gcr_intrusive_heap_destroy(gcr_intrusive_heap_t *heap);

// Frees a destroyed heap's block if no root holds one of its objects any
// more: what [`gcr_intrusive_root_destroy`] does after unlinking the last
// root of a destroyed heap, for the header's inline destroy, which unlinks
// by itself and calls this when it finds the heap destroyed. Does nothing
// if `heap` is null, was not destroyed, or still has roots.
//
// # Safety
//
// `heap` is null or came from [`gcr_intrusive_heap_new`] and was not
// freed (a root that held one of its objects was just emptied); it is not
// used again unless it still has roots.
void gcr_intrusive_heap_release(const gcr_intrusive_heap_t *heap);

// Runs a collection: every object the roots reach moves, and the roots
// follow. Errors: `GCR_ERR_NULL`.
//
// # Safety
//
// `heap` is null or a live heap of this API.
enum gcr_status_t gcr_intrusive_collect(gcr_intrusive_heap_t *heap);

// Stores the heap's statistics in `*out`. Errors: `GCR_ERR_NULL`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or valid for
// writing.
enum gcr_status_t gcr_intrusive_stats(const gcr_intrusive_heap_t *heap, struct gcr_stats_t *out);

// How many roots hold objects of `heap` (0 if `heap` is null).
//
// # Safety
//
// `heap` is null or a live heap of this API.
size_t gcr_intrusive_root_count(const gcr_intrusive_heap_t *heap);

// Allocates an object with `fields` reference fields (empty) and `bytes`
// bytes of data (zero), and makes `out` hold it (releasing what it held).
// May collect first.
//
// Errors: `GCR_ERR_NULL`; `GCR_ERR_TOO_LARGE` or `GCR_ERR_OUT_OF_MEMORY`
// if the heap's limit refuses it (the heap keeps working); `GCR_ERR_SYSTEM`.
//
// # Safety
//
// `heap` is null or a live heap of this API; `out` is null or an
// initialised root.
enum gcr_status_t gcr_intrusive_alloc(gcr_intrusive_heap_t *heap,
                                      size_t fields,
                                      size_t bytes,
                                      struct gcr_intrusive_root_t *out);

// Initialises `root` empty. Call it first on a root's memory (the C++
// wrapper's constructors do). Does nothing if `root` is null.
//
// # Safety
//
// `root` is null or valid for writing a `gcr_intrusive_root_t`, and does
// not hold an object (that would leak its node in the list).
void gcr_intrusive_root_init(struct gcr_intrusive_root_t *root);

// Empties `root`: it no longer holds its object, and its memory may go.
// Does nothing if `root` is null or empty. Aborts with a message if the
// root was moved by `memcpy` while it held an object (its list is then
// corrupt).
//
// # Safety
//
// `root` is null or an initialised root.
void gcr_intrusive_root_destroy(struct gcr_intrusive_root_t *root);

// Makes `dst` hold what `src` holds (empty if `src` is empty), releasing
// what `dst` held: a copy constructor or assignment. No heap argument:
// the new node joins `src`'s list. Does nothing if either is null or they
// are the same root.
//
// # Safety
//
// Each is null or an initialised root.
void gcr_intrusive_root_copy(struct gcr_intrusive_root_t *dst,
                             const struct gcr_intrusive_root_t *src);

// Makes `dst` hold what `src` holds and empties `src`: a move constructor
// or assignment (`dst`'s old object is released). Does nothing if either
// is null or they are the same root.
//
// # Safety
//
// Each is null or an initialised root.
void gcr_intrusive_root_move(struct gcr_intrusive_root_t *dst, struct gcr_intrusive_root_t *src);

// Whether `root` holds no object (true if null).
//
// # Safety
//
// `root` is null or an initialised root.
bool gcr_intrusive_root_is_empty(const struct gcr_intrusive_root_t *root);

// Reads 8 data bytes at `offset` of the object `root` holds into `*out`.
// No heap argument.
//
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
// `GCR_ERR_RANGE`.
//
// # Safety
//
// `root` is null or an initialised root; `out` is null or valid for
// writing.
enum gcr_status_t gcr_intrusive_get_u64(const struct gcr_intrusive_root_t *root,
                                        size_t offset,
                                        uint64_t *out);

// Writes 8 data bytes at `offset` of the object `root` holds. No heap
// argument. Errors: as [`gcr_intrusive_get_u64`].
//
// # Safety
//
// `root` is null or an initialised root.
enum gcr_status_t gcr_intrusive_set_u64(const struct gcr_intrusive_root_t *root,
                                        size_t offset,
                                        uint64_t value);

// Makes `out` hold the object in field `i` of the object `root` holds
// (empty if the field is empty). `out` may be `root` itself.
//
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
// `GCR_ERR_RANGE`.
//
// # Safety
//
// `root` and `out` are null or initialised roots.
enum gcr_status_t gcr_intrusive_get_field(const struct gcr_intrusive_root_t *root,
                                          size_t i,
                                          struct gcr_intrusive_root_t *out);

// Sets field `i` of the object `root` holds to the object `value` holds,
// or empties it if `value` is null or empty.
//
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
// `GCR_ERR_RANGE`, `GCR_ERR_WRONG_HEAP` if `value` is of another heap.
//
// # Safety
//
// `root` and `value` are null or initialised roots.
enum gcr_status_t gcr_intrusive_set_field(const struct gcr_intrusive_root_t *root,
                                          size_t i,
                                          const struct gcr_intrusive_root_t *value);

// Stores the shape of the object `root` holds in `*fields` and `*bytes`.
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`.
//
// # Safety
//
// `root` is null or an initialised root; `fields` and `bytes` are null or
// valid for writing.
enum gcr_status_t gcr_intrusive_shape(const struct gcr_intrusive_root_t *root,
                                      size_t *fields,
                                      size_t *bytes);

// Stores in `*out` whether `a` and `b` hold the same object.
// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
// `GCR_ERR_WRONG_HEAP` if they hold objects of different heaps.
//
// # Safety
//
// `a` and `b` are null or initialised roots; `out` is null or valid for
// writing.
enum gcr_status_t gcr_intrusive_same(const struct gcr_intrusive_root_t *a,
                                     const struct gcr_intrusive_root_t *b,
                                     bool *out);

// Pins the object `root` holds (a root of `heap`) and stores the pin in
// `*out`: until [`gcr_intrusive_unpin`] the object stays alive and its
// data stays at `out->data` (`out->bytes` long), across collections, for
// `memcpy`, `qsort`, I/O. In a generational heap a young object is
// promoted first (a minor collection, so pinning takes the heap).
//
// Errors: `GCR_ERR_NULL`; `GCR_ERR_EMPTY`; `GCR_ERR_WRONG_HEAP` if `root`
// is another heap's; `GCR_ERR_DESTROYED`; `GCR_ERR_UNSUPPORTED` if the
// heap is not mark-region (its collector moves every object).
//
// # Safety
//
// `heap` is null or a live heap of this API; `root` is null or an
// initialised root; `out` is null or valid for writing.
enum gcr_status_t gcr_intrusive_pin(gcr_intrusive_heap_t *heap,
                                    const struct gcr_intrusive_root_t *root,
                                    struct gcr_pin_t *out);

// Ends a pin of `heap` and empties `*pin` (its `data` becomes null): the
// object may move or die from then on. Also after the heap was destroyed
// (while the heap's block lives, that is while its roots do).
//
// Errors: `GCR_ERR_NULL`; `GCR_ERR_WRONG_HEAP` if the pin is another
// heap's; `GCR_ERR_MISUSE` if it was already ended (through a copy).
//
// # Safety
//
// `heap` is null or a heap of this API whose block is alive; `pin` is
// null or valid for reading and writing.
enum gcr_status_t gcr_intrusive_unpin(gcr_intrusive_heap_t *heap, struct gcr_pin_t *pin);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* GCROOTS_H */

#include "gcroots_inline.h"
