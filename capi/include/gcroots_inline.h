/* gcroots_inline.h: the intrusive roots' operations, and the indexed
 * roots' clone and unroot, inline.
 *
 * Included by gcroots.h (at its end); written by hand over the layouts that
 * gcroots.h declares and the Rust side asserts (gcr_intrusive_root_t,
 * gcr_intrusive_node_t, gcr_intrusive_heap_inline_t, the GCR_OBJECT_*
 * header constants). What SpiderMonkey's JS::Rooted does in its header,
 * these do here: linking a root, unlinking it, copying and moving it, and
 * reading and writing the object it holds are loads and stores in the
 * caller's code, with no call into the library. Each function does exactly
 * what the out-of-line function of the same name without `_inline` does,
 * and calls it wherever the library must be involved or something is
 * wrong: an empty root, a destroyed heap, a root copied as bytes, an index
 * out of range, a reference store in a generational heap (its write
 * barrier), another heap's value. So statuses, messages and aborts are the
 * library's own.
 *
 * The root list is an hlist: each node holds `next` (the node linked
 * before it) and `pprev` (the cell that points at it: the heap's head, or
 * the `next` of the node linked after it). Link at the head: four stores.
 * Unlink: two. Move: four, and the source left empty.
 *
 * An indexed root's clone and unroot are one atomic compare-and-swap each
 * on its slot's liveness cell (gcr_indexed_handle_t; the protocol is
 * gcroots_indexed::layout's), calling the library for a stale handle (its
 * status and message) or a full count. Its reads stay calls: they go
 * through the heap's table.
 *
 * Define GCROOTS_CHECK_LISTS before including gcroots.h to check the list
 * around every node these functions touch (the test builds do): a broken
 * invariant aborts with a message naming it. */

#ifndef GCROOTS_INLINE_H
#define GCROOTS_INLINE_H

#include <string.h>

#include "gcroots.h"

#ifdef __cplusplus
static_assert(sizeof(gcr_intrusive_root_t) == GCR_INTRUSIVE_ROOT_SIZE, "gcr_intrusive_root_t's size");
static_assert(offsetof(gcr_intrusive_root_t, node) == GCR_INTRUSIVE_ROOT_NODE, "the node's offset");
static_assert(offsetof(gcr_intrusive_root_t, node.value) == GCR_INTRUSIVE_ROOT_VALUE, "the value's offset");
static_assert(sizeof(void *) == 8, "gcroots' heap words are 8 bytes: a 64-bit target");
#else
_Static_assert(sizeof(gcr_intrusive_root_t) == GCR_INTRUSIVE_ROOT_SIZE, "gcr_intrusive_root_t's size");
_Static_assert(offsetof(gcr_intrusive_root_t, node) == GCR_INTRUSIVE_ROOT_NODE, "the node's offset");
_Static_assert(offsetof(gcr_intrusive_root_t, node.value) == GCR_INTRUSIVE_ROOT_VALUE, "the value's offset");
_Static_assert(sizeof(void *) == 8, "gcroots' heap words are 8 bytes: a 64-bit target");
#endif

#ifdef GCROOTS_CHECK_LISTS
#include <stdio.h>
#include <stdlib.h>
/* Aborts naming the broken invariant. */
static inline void gcr_check_failed_(const char *what) {
    fprintf(stderr, "gcroots: GCROOTS_CHECK_LISTS: %s; aborting\n", what);
    abort();
}
/* The invariant around a linked node: the cell its pprev names points at
 * it, its older neighbour's pprev names its next, and it carries its
 * heap's list word. */
static inline void gcr_check_node_(const gcr_intrusive_root_t *r) {
    const gcr_intrusive_heap_inline_t *h = (const gcr_intrusive_heap_inline_t *)(const void *)r->heap;
    if (r->node.pprev == NULL || *r->node.pprev != &r->node) {
        gcr_check_failed_("a linked node's pprev does not point back at it");
    }
    if (r->node.next != NULL && r->node.next->pprev != &r->node.next) {
        gcr_check_failed_("a linked node's older neighbour does not point back at it");
    }
    if (r->node.list != h->list) {
        gcr_check_failed_("a linked node names another heap's list");
    }
}
#define GCR_CHECK_NODE_(r) gcr_check_node_(r)
#else
#define GCR_CHECK_NODE_(r) ((void)0)
#endif

/* The shared bytes of a heap. */
static inline const gcr_intrusive_heap_inline_t *gcr_intrusive_heap_inline_(const gcr_intrusive_heap_t *heap) {
    return (const gcr_intrusive_heap_inline_t *)(const void *)heap;
}

/* Links the empty root `r` at `heap`'s head, holding `value`. */
static inline void gcr_intrusive_link_(gcr_intrusive_root_t *r, const gcr_intrusive_heap_t *heap, size_t value) {
    const gcr_intrusive_heap_inline_t *h = gcr_intrusive_heap_inline_(heap);
    gcr_intrusive_node_t *old = *h->head;
    r->node.next = old;
    r->node.pprev = h->head;
    r->node.value = value;
    r->node.list = h->list;
    if (old != NULL) {
        old->pprev = &r->node.next;
    }
    *h->head = &r->node;
    r->heap = heap;
    GCR_CHECK_NODE_(r);
}

/* The header of the object `r` holds, when the inline path may reach it: r
 * holds an object, its heap is alive, and r is where its list says (not a
 * copy of a root's bytes). NULL otherwise: the caller then calls the
 * library, which says why. */
static inline uint64_t *gcr_intrusive_object_(const gcr_intrusive_root_t *r) {
    if (r == NULL || r->heap == NULL || gcr_intrusive_heap_inline_(r->heap)->destroyed ||
        *r->node.pprev != &r->node) {
        return NULL;
    }
    GCR_CHECK_NODE_(r);
    return (uint64_t *)r->node.value;
}

/* Whether `header` is a live object's. */
static inline bool gcr_object_live_(uint64_t header) {
    return (header & GCR_OBJECT_MAGIC_MASK) == GCR_OBJECT_MAGIC;
}

/* An object's field count and data byte count, from its header. */
static inline size_t gcr_object_fields_(uint64_t header) { return (size_t)(header >> GCR_OBJECT_FIELDS_SHIFT); }
static inline size_t gcr_object_bytes_(uint64_t header) {
    return (size_t)((header >> GCR_OBJECT_BYTES_SHIFT) & GCR_OBJECT_BYTES_MASK);
}

/* The address of `len` data bytes at `offset` in the object `r` holds,
 * when the inline path may reach them (gcr_intrusive_object_, a live
 * header, the bytes within the object's data); NULL otherwise. */
static inline unsigned char *gcr_intrusive_data_(const gcr_intrusive_root_t *r, size_t offset, size_t len) {
    uint64_t *obj = gcr_intrusive_object_(r);
    if (obj == NULL) {
        return NULL;
    }
    uint64_t header = obj[0];
    size_t bytes = gcr_object_bytes_(header);
    if (!gcr_object_live_(header) || offset > bytes || bytes - offset < len) {
        return NULL;
    }
    return (unsigned char *)(obj + 1 + gcr_object_fields_(header)) + offset;
}

/* The address of reference field `i` of the object `r` holds, when the
 * inline path may reach it; NULL otherwise. */
static inline uint64_t *gcr_intrusive_field_(const gcr_intrusive_root_t *r, size_t i) {
    uint64_t *obj = gcr_intrusive_object_(r);
    if (obj == NULL) {
        return NULL;
    }
    uint64_t header = obj[0];
    if (!gcr_object_live_(header) || i >= gcr_object_fields_(header)) {
        return NULL;
    }
    return obj + 1 + i;
}

/* Inline gcr_intrusive_root_init. */
static inline void gcr_intrusive_root_init_inline(gcr_intrusive_root_t *root) {
    if (root != NULL) {
        root->heap = NULL;
    }
}

/* Inline gcr_intrusive_root_is_empty. */
static inline bool gcr_intrusive_root_is_empty_inline(const gcr_intrusive_root_t *root) {
    return root == NULL || root->heap == NULL;
}

/* Inline gcr_intrusive_root_destroy: unlinks; calls the library for a root
 * not where its list says (which aborts) and, after unlinking from a
 * destroyed heap, to free the heap's block if this was its last root. */
static inline void gcr_intrusive_root_destroy_inline(gcr_intrusive_root_t *root) {
    if (root == NULL || root->heap == NULL) {
        return;
    }
    gcr_intrusive_node_t **pprev = root->node.pprev;
    gcr_intrusive_node_t *next = root->node.next;
    if (*pprev != &root->node) {
        gcr_intrusive_root_destroy(root);
        return;
    }
    GCR_CHECK_NODE_(root);
    const gcr_intrusive_heap_t *heap = root->heap;
    *pprev = next;
    if (next != NULL) {
        next->pprev = pprev;
    }
    root->heap = NULL;
    if (gcr_intrusive_heap_inline_(heap)->destroyed) {
        gcr_intrusive_heap_release(heap);
    }
}

/* Inline gcr_intrusive_root_copy. */
static inline void gcr_intrusive_root_copy_inline(gcr_intrusive_root_t *dst, const gcr_intrusive_root_t *src) {
    if (dst == NULL || src == NULL || dst == src) {
        return;
    }
    const gcr_intrusive_heap_t *heap = src->heap;
    if (heap == NULL) {
        gcr_intrusive_root_destroy_inline(dst);
        return;
    }
    if (*src->node.pprev != &src->node) {
        gcr_intrusive_root_copy(dst, src); /* aborts: src was copied as bytes */
        return;
    }
    size_t value = src->node.value;
    gcr_intrusive_root_destroy_inline(dst);
    gcr_intrusive_link_(dst, heap, value);
}

/* Inline gcr_intrusive_root_move: `dst` takes `src`'s place in the list. */
static inline void gcr_intrusive_root_move_inline(gcr_intrusive_root_t *dst, gcr_intrusive_root_t *src) {
    if (dst == NULL || src == NULL || dst == src) {
        return;
    }
    gcr_intrusive_root_destroy_inline(dst);
    const gcr_intrusive_heap_t *heap = src->heap;
    if (heap == NULL) {
        return;
    }
    gcr_intrusive_node_t **pprev = src->node.pprev;
    gcr_intrusive_node_t *next = src->node.next;
    if (*pprev != &src->node) {
        gcr_intrusive_root_move(dst, src); /* aborts: src was copied as bytes */
        return;
    }
    GCR_CHECK_NODE_(src);
    dst->node = src->node;
    *pprev = &dst->node;
    if (next != NULL) {
        next->pprev = &dst->node.next;
    }
    dst->heap = heap;
    src->heap = NULL;
    GCR_CHECK_NODE_(dst);
}

/* Inline gcr_intrusive_get_u64. */
static inline gcr_status_t gcr_intrusive_get_u64_inline(const gcr_intrusive_root_t *root, size_t offset,
                                                        uint64_t *out) {
    const unsigned char *data = gcr_intrusive_data_(root, offset, 8);
    if (data != NULL && out != NULL) {
        memcpy(out, data, 8);
        return GCR_OK;
    }
    return gcr_intrusive_get_u64(root, offset, out);
}

/* Inline gcr_intrusive_set_u64. */
static inline gcr_status_t gcr_intrusive_set_u64_inline(const gcr_intrusive_root_t *root, size_t offset,
                                                        uint64_t value) {
    unsigned char *data = gcr_intrusive_data_(root, offset, 8);
    if (data != NULL) {
        memcpy(data, &value, 8);
        return GCR_OK;
    }
    return gcr_intrusive_set_u64(root, offset, value);
}

/* Inline gcr_intrusive_get_field. `out` may be `root`. */
static inline gcr_status_t gcr_intrusive_get_field_inline(const gcr_intrusive_root_t *root, size_t i,
                                                          gcr_intrusive_root_t *out) {
    const uint64_t *field = gcr_intrusive_field_(root, i);
    if (field != NULL && out != NULL) {
        const gcr_intrusive_heap_t *heap = root->heap;
        size_t value = (size_t)*field;
        gcr_intrusive_root_destroy_inline(out);
        if (value != 0) {
            gcr_intrusive_link_(out, heap, value);
        }
        return GCR_OK;
    }
    return gcr_intrusive_get_field(root, i, out);
}

/* Inline gcr_intrusive_set_field; a generational heap's store takes the
 * call (the write barrier). */
static inline gcr_status_t gcr_intrusive_set_field_inline(const gcr_intrusive_root_t *root, size_t i,
                                                          const gcr_intrusive_root_t *value) {
    uint64_t *field = gcr_intrusive_field_(root, i);
    if (field != NULL && !gcr_intrusive_heap_inline_(root->heap)->barrier) {
        if (value == NULL || value->heap == NULL) {
            *field = 0;
            return GCR_OK;
        }
        if (value->heap == root->heap && gcr_intrusive_object_(value) != NULL) {
            *field = (uint64_t)value->node.value;
            return GCR_OK;
        }
    }
    return gcr_intrusive_set_field(root, i, value);
}

/* Inline gcr_intrusive_same. */
static inline gcr_status_t gcr_intrusive_same_inline(const gcr_intrusive_root_t *a, const gcr_intrusive_root_t *b,
                                                     bool *out) {
    if (out != NULL && gcr_intrusive_object_(a) != NULL && gcr_intrusive_object_(b) != NULL &&
        a->heap == b->heap) {
        *out = a->node.value == b->node.value;
        return GCR_OK;
    }
    return gcr_intrusive_same(a, b, out);
}

/* ----- indexed roots: clone and unroot ---------------------------------- */

#ifdef __cplusplus
static_assert(sizeof(gcr_indexed_root_t) == GCR_INDEXED_ROOT_SIZE, "gcr_indexed_root_t's size");
#else
_Static_assert(sizeof(gcr_indexed_root_t) == GCR_INDEXED_ROOT_SIZE, "gcr_indexed_root_t's size");
#endif

/* Counts one more handle of `h`'s occupancy; false (nothing counted) if
 * it ended (the handle is stale) or the count is full. */
static inline bool gcr_indexed_acquire_(const gcr_indexed_handle_t *h) {
    uint64_t state = __atomic_load_n(h->cell, __ATOMIC_RELAXED);
    for (;;) {
        uint64_t count = state & GCR_INDEXED_CELL_COUNT_MASK;
        if ((uint32_t)(state >> GCR_INDEXED_CELL_GENERATION_SHIFT) != h->generation || count == 0 ||
            count == GCR_INDEXED_CELL_COUNT_MASK) {
            return false;
        }
        if (__atomic_compare_exchange_n(h->cell, &state, state + 1, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return true;
        }
    }
}

/* Counts one handle of `h`'s occupancy less (ending it if it was the
 * last); false (nothing changed) if it had already ended. */
static inline bool gcr_indexed_release_(const gcr_indexed_handle_t *h) {
    uint64_t state = __atomic_load_n(h->cell, __ATOMIC_RELAXED);
    for (;;) {
        uint64_t count = state & GCR_INDEXED_CELL_COUNT_MASK;
        if ((uint32_t)(state >> GCR_INDEXED_CELL_GENERATION_SHIFT) != h->generation || count == 0) {
            return false;
        }
        uint64_t next = count == 1 ? (uint64_t)(h->generation + 1) << GCR_INDEXED_CELL_GENERATION_SHIFT : state - 1;
        if (__atomic_compare_exchange_n(h->cell, &state, next, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
            return true;
        }
    }
}

/* Inline gcr_indexed_root_init. */
static inline void gcr_indexed_root_init_inline(gcr_indexed_root_t *root) {
    if (root != NULL) {
        root->full = 0;
    }
}

/* Inline gcr_indexed_root_is_empty. */
static inline bool gcr_indexed_root_is_empty_inline(const gcr_indexed_root_t *root) {
    return root == NULL || root->full == 0;
}

/* Inline gcr_indexed_root_unroot: GCR_OK, or the library's GCR_ERR_STALE
 * (with its message) for a handle whose occupancy had ended. */
static inline gcr_status_t gcr_indexed_root_unroot_inline(gcr_indexed_root_t *root) {
    if (root == NULL || root->full == 0) {
        return GCR_OK;
    }
    if (gcr_indexed_release_(&root->handle)) {
        root->full = 0;
        return GCR_OK;
    }
    return gcr_indexed_root_unroot(root);
}

/* Inline gcr_indexed_root_clone: counts the clone in, then drops what
 * `out` held (in that order: `out` may hold the same slot). */
static inline gcr_status_t gcr_indexed_root_clone_inline(const gcr_indexed_root_t *src, gcr_indexed_root_t *out) {
    if (src != NULL && out != NULL && src != out && src->full != 0) {
        gcr_indexed_handle_t h = src->handle;
        if (gcr_indexed_acquire_(&h)) {
            if (out->full != 0) {
                gcr_indexed_release_(&out->handle); /* a stale handle's drop does nothing, as in Rust */
            }
            out->handle = h;
            out->full = 1;
            return GCR_OK;
        }
    }
    return gcr_indexed_root_clone(src, out);
}

#endif /* GCROOTS_INLINE_H */
