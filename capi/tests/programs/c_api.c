/* The C API from C: both schemes, every heap mode, every root operation,
 * pins handed to qsort and memcpy, every bad input.
 * Run by capi/tests/programs.rs (plain, and under AddressSanitizer and
 * UndefinedBehaviorSanitizer in CI, and valgrind). With the argument
 * "memcpy" it moves a linked intrusive root by memcpy, which must abort
 * with a message when the copy is destroyed.
 *
 * Built twice: against the library's functions, and with GCROOTS_INLINE
 * defined, against the header's inline ones (gcroots_inline.h), each
 * intrusive root operation and each indexed clone, unroot, init and
 * emptiness test below then naming its `_inline` twin. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcroots.h"

#ifdef GCROOTS_INLINE
/* After the header: the inline functions' own fallbacks still name the
 * library's functions. */
#define gcr_intrusive_root_init gcr_intrusive_root_init_inline
#define gcr_intrusive_root_is_empty gcr_intrusive_root_is_empty_inline
#define gcr_intrusive_root_destroy gcr_intrusive_root_destroy_inline
#define gcr_intrusive_root_copy gcr_intrusive_root_copy_inline
#define gcr_intrusive_root_move gcr_intrusive_root_move_inline
#define gcr_intrusive_get_u64 gcr_intrusive_get_u64_inline
#define gcr_intrusive_set_u64 gcr_intrusive_set_u64_inline
#define gcr_intrusive_get_field gcr_intrusive_get_field_inline
#define gcr_intrusive_set_field gcr_intrusive_set_field_inline
#define gcr_intrusive_same gcr_intrusive_same_inline
#define gcr_indexed_root_init gcr_indexed_root_init_inline
#define gcr_indexed_root_is_empty gcr_indexed_root_is_empty_inline
#define gcr_indexed_root_clone gcr_indexed_root_clone_inline
#define gcr_indexed_root_unroot gcr_indexed_root_unroot_inline
#endif

static int failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
                    gcr_last_error());                                                             \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define OK(call) CHECK((call) == GCR_OK)

/* The heap mode of a run: a nursery of `nursery` bytes (0: none), and a
 * mark-region main space or semispaces. */
static size_t mode_nursery = 0;
static bool mode_mark_region = false;

/* Zeal mode in the run's heap mode. */
static gcr_config_t zeal(void) {
    gcr_config_t c;
    gcr_config_default(&c, true);
    c.nursery_bytes = mode_nursery;
    c.mark_region = mode_mark_region;
    return c;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* A small generator for the values a pinned object is filled with. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#define PINNED_VALUES 512

/* ---- intrusive -------------------------------------------------------- */

static void intrusive_roots_follow_their_objects(void) {
    gcr_config_t c = zeal();
    gcr_intrusive_heap_t *heap = NULL;
    OK(gcr_intrusive_heap_new(&c, &heap));
    gcr_intrusive_root_t a, b, list;
    gcr_intrusive_root_init(&a);
    gcr_intrusive_root_init(&b);
    memset(&list, 0, sizeof list); /* all-zero is an empty root too */
    CHECK(gcr_intrusive_root_is_empty(&list));

    /* A list of 100 cells, built under collection before every allocation. */
    for (uint64_t i = 0; i < 100; i++) {
        OK(gcr_intrusive_alloc(heap, 1, 8, &a));
        OK(gcr_intrusive_set_u64(&a, 0, i));
        OK(gcr_intrusive_set_field(&a, 0, &list));
        gcr_intrusive_root_copy(&list, &a); /* no heap argument */
    }
    OK(gcr_intrusive_collect(heap));
    uint64_t sum = 0, n = 0, v;
    gcr_intrusive_root_copy(&b, &list);
    while (!gcr_intrusive_root_is_empty(&b)) {
        OK(gcr_intrusive_get_u64(&b, 0, &v)); /* no heap argument either */
        sum += v;
        n++;
        OK(gcr_intrusive_get_field(&b, 0, &b)); /* out may be the root itself */
    }
    CHECK(n == 100 && sum == 99 * 100 / 2);

    /* Identity, copies and moves. */
    bool same = false;
    gcr_intrusive_root_copy(&a, &list);
    OK(gcr_intrusive_same(&a, &list, &same));
    CHECK(same);
    gcr_intrusive_root_move(&b, &a);
    CHECK(gcr_intrusive_root_is_empty(&a) && !gcr_intrusive_root_is_empty(&b));
    OK(gcr_intrusive_same(&b, &list, &same));
    CHECK(same);
    CHECK(gcr_intrusive_root_count(heap) == 2);
    gcr_intrusive_root_destroy(&b);
    gcr_intrusive_root_destroy(&list);
    CHECK(gcr_intrusive_root_count(heap) == 0);
    OK(gcr_intrusive_collect(heap));
    gcr_stats_t stats;
    OK(gcr_intrusive_stats(heap, &stats));
    CHECK(stats.live_bytes_after_gc == 0 && stats.collections > 100);
    gcr_intrusive_heap_destroy(heap);
}

static void intrusive_bad_input(void) {
    gcr_intrusive_heap_t *heap = NULL, *other = NULL;
    CHECK(gcr_intrusive_heap_new(NULL, NULL) == GCR_ERR_NULL);
    gcr_config_t bad;
    gcr_config_default(&bad, false);
    bad.grow_percent = 0;
    CHECK(gcr_intrusive_heap_new(&bad, &heap) == GCR_ERR_CONFIG);
    CHECK(strstr(gcr_last_error(), "grow_percent") != NULL);
    gcr_config_t small;
    gcr_config_default(&small, false);
    small.initial_bytes = 64;
    small.max_bytes = 256;
    OK(gcr_intrusive_heap_new(&small, &heap));
    OK(gcr_intrusive_heap_new(NULL, &other));

    gcr_intrusive_root_t r, s, empty;
    gcr_intrusive_root_init(&r);
    gcr_intrusive_root_init(&s);
    gcr_intrusive_root_init(&empty);
    uint64_t v;
    CHECK(gcr_intrusive_alloc(NULL, 0, 8, &r) == GCR_ERR_NULL);
    CHECK(gcr_intrusive_alloc(heap, 0, 8, NULL) == GCR_ERR_NULL);
    CHECK(gcr_intrusive_get_u64(&empty, 0, &v) == GCR_ERR_EMPTY);
    CHECK(gcr_intrusive_get_u64(NULL, 0, &v) == GCR_ERR_NULL);

    /* Over the limit: refused, and the heap keeps working. */
    CHECK(gcr_intrusive_alloc(heap, 0, 1024, &r) == GCR_ERR_TOO_LARGE);
    OK(gcr_intrusive_alloc(heap, 2, 8, &r));
    gcr_intrusive_root_t keep[10];
    int kept = 0;
    gcr_status_t st = GCR_OK;
    while (kept < 10 && (st = gcr_intrusive_alloc(heap, 0, 16, (gcr_intrusive_root_init(&keep[kept]), &keep[kept]))) == GCR_OK) {
        kept++;
    }
    CHECK(st == GCR_ERR_OUT_OF_MEMORY);
    CHECK(strstr(gcr_last_error(), "limit") != NULL);
    for (int i = 0; i <= kept && i < 10; i++) {
        gcr_intrusive_root_destroy(&keep[i]);
    }
    OK(gcr_intrusive_alloc(heap, 0, 16, &s));

    /* Out of range. */
    CHECK(gcr_intrusive_get_u64(&r, 8, &v) == GCR_ERR_RANGE);
    CHECK(gcr_intrusive_get_u64(&r, SIZE_MAX, &v) == GCR_ERR_RANGE);
    CHECK(gcr_intrusive_get_field(&r, 2, &s) == GCR_ERR_RANGE);
    CHECK(gcr_intrusive_set_field(&r, 7, &s) == GCR_ERR_RANGE);

    /* A root of another heap. */
    gcr_intrusive_root_t foreign;
    gcr_intrusive_root_init(&foreign);
    OK(gcr_intrusive_alloc(other, 0, 8, &foreign));
    CHECK(gcr_intrusive_set_field(&r, 0, &foreign) == GCR_ERR_WRONG_HEAP);
    bool same;
    CHECK(gcr_intrusive_same(&r, &foreign, &same) == GCR_ERR_WRONG_HEAP);

    /* A destroyed heap: its roots answer GCR_ERR_DESTROYED until they are
     * destroyed; the last one frees the list. */
    gcr_intrusive_heap_destroy(other);
    CHECK(gcr_intrusive_get_u64(&foreign, 0, &v) == GCR_ERR_DESTROYED);
    gcr_intrusive_root_t copy;
    gcr_intrusive_root_init(&copy);
    gcr_intrusive_root_copy(&copy, &foreign);
    CHECK(gcr_intrusive_get_u64(&copy, 0, &v) == GCR_ERR_DESTROYED);
    gcr_intrusive_root_destroy(&foreign);
    gcr_intrusive_root_destroy(&copy);
    gcr_intrusive_root_destroy(&copy); /* idempotent */
    gcr_intrusive_root_destroy(NULL);
    gcr_intrusive_heap_destroy(NULL);

    gcr_intrusive_root_destroy(&r);
    gcr_intrusive_root_destroy(&s);
    gcr_intrusive_heap_destroy(heap);
}

/* A pinned object's bytes handed to qsort and memcpy across collections
 * (zeal: one before every allocation, every other one evacuating every
 * object it can): in a mark-region heap they stay where the pin says, and
 * the object reads what was written there; a copy of the pin is refused
 * when unpinned a second time. A copying heap refuses to pin. */
static void intrusive_pinned_bytes_survive_qsort(void) {
    gcr_config_t c = zeal();
    gcr_intrusive_heap_t *heap = NULL;
    OK(gcr_intrusive_heap_new(&c, &heap));
    gcr_intrusive_root_t buf, other, garbage;
    gcr_intrusive_root_init(&buf);
    gcr_intrusive_root_init(&other);
    gcr_intrusive_root_init(&garbage);
    OK(gcr_intrusive_alloc(heap, 0, PINNED_VALUES * 8, &buf));
    OK(gcr_intrusive_alloc(heap, 0, 8, &other));
    uint64_t state = 0x9E3779B97F4A7C15u, v;
    for (size_t i = 0; i < PINNED_VALUES; i++) {
        OK(gcr_intrusive_set_u64(&buf, i * 8, next_random(&state)));
    }
    gcr_pin_t pin;
    gcr_status_t st = gcr_intrusive_pin(heap, &buf, &pin);
    if (!mode_mark_region) {
        CHECK(st == GCR_ERR_UNSUPPORTED);
        CHECK(strstr(gcr_last_error(), "mark-region") != NULL);
    } else {
        OK(st);
        CHECK(pin.bytes == PINNED_VALUES * 8 && pin.data != NULL);
        uint64_t copy[PINNED_VALUES];
        for (int round = 0; round < 6; round++) {
            OK(gcr_intrusive_alloc(heap, 1, 64, &garbage)); /* collects */
            qsort(pin.data, PINNED_VALUES, 8, compare_u64);
            OK(gcr_intrusive_collect(heap));
            memcpy(copy, pin.data, sizeof copy);
            for (size_t i = 0; i < PINNED_VALUES; i++) {
                OK(gcr_intrusive_get_u64(&buf, i * 8, &v));
                CHECK(v == copy[i]);
                CHECK(i == 0 || copy[i - 1] <= copy[i]);
            }
            for (size_t i = 0; i < PINNED_VALUES; i++) {
                copy[i] = next_random(&state);
            }
            memcpy(pin.data, copy, sizeof copy); /* unsorted again */
            OK(gcr_intrusive_collect(heap));
            OK(gcr_intrusive_get_u64(&buf, 8 * (PINNED_VALUES - 1), &v));
            CHECK(v == copy[PINNED_VALUES - 1]);
        }
        gcr_stats_t stats;
        OK(gcr_intrusive_stats(heap, &stats));
        CHECK(stats.objects_pinned == 1);
        gcr_pin_t again = pin; /* a copy names the same pin */
        OK(gcr_intrusive_unpin(heap, &pin));
        CHECK(pin.data == NULL);
        CHECK(gcr_intrusive_unpin(heap, &again) == GCR_ERR_MISUSE);
        CHECK(gcr_intrusive_unpin(heap, NULL) == GCR_ERR_NULL);
        OK(gcr_intrusive_collect(heap));
        OK(gcr_intrusive_stats(heap, &stats));
        CHECK(stats.objects_pinned == 0);
    }
    gcr_intrusive_root_destroy(&buf);
    gcr_intrusive_root_destroy(&other);
    gcr_intrusive_root_destroy(&garbage);
    gcr_intrusive_heap_destroy(heap);
}

/* ---- indexed ---------------------------------------------------------- */

static void indexed_roots_follow_their_objects(void) {
    gcr_config_t c = zeal();
    gcr_indexed_heap_t *heap = NULL;
    OK(gcr_indexed_heap_new(&c, &heap));
    gcr_indexed_root_t a, b, list;
    gcr_indexed_root_init(&a);
    gcr_indexed_root_init(&b);
    memset(&list, 0, sizeof list);
    CHECK(gcr_indexed_root_is_empty(&list));
    for (uint64_t i = 0; i < 100; i++) {
        OK(gcr_indexed_alloc(heap, 1, 8, &a));
        OK(gcr_indexed_set_u64(heap, &a, 0, i)); /* the heap, every time */
        OK(gcr_indexed_set_field(heap, &a, 0, &list));
        gcr_indexed_root_clone(&a, &list); /* no heap argument */
    }
    OK(gcr_indexed_collect(heap));
    uint64_t sum = 0, n = 0, v;
    gcr_indexed_root_clone(&list, &b);
    while (!gcr_indexed_root_is_empty(&b)) {
        OK(gcr_indexed_get_u64(heap, &b, 0, &v));
        sum += v;
        n++;
        OK(gcr_indexed_get_field(heap, &b, 0, &b));
    }
    CHECK(n == 100 && sum == 99 * 100 / 2);
    bool same = false;
    gcr_indexed_root_clone(&list, &a);
    OK(gcr_indexed_same(heap, &a, &list, &same));
    CHECK(same);
    CHECK(gcr_indexed_root_count(heap) == 1); /* `a` and `list` share a slot */
    gcr_indexed_root_unroot(&a);
    gcr_indexed_root_unroot(&list);
    CHECK(gcr_indexed_root_count(heap) == 0);
    OK(gcr_indexed_collect(heap));
    gcr_stats_t stats;
    OK(gcr_indexed_stats(heap, &stats));
    CHECK(stats.live_bytes_after_gc == 0 && stats.collections > 100);
    gcr_indexed_heap_destroy(heap);
}

/* As intrusive_pinned_bytes_survive_qsort, with handles. */
static void indexed_pinned_bytes_survive_qsort(void) {
    gcr_config_t c = zeal();
    gcr_indexed_heap_t *heap = NULL, *other = NULL;
    OK(gcr_indexed_heap_new(&c, &heap));
    OK(gcr_indexed_heap_new(&c, &other));
    gcr_indexed_root_t buf, garbage;
    gcr_indexed_root_init(&buf);
    gcr_indexed_root_init(&garbage);
    OK(gcr_indexed_alloc(heap, 0, PINNED_VALUES * 8, &buf));
    uint64_t state = 0x2545F4914F6CDD1Du, v;
    for (size_t i = 0; i < PINNED_VALUES; i++) {
        OK(gcr_indexed_set_u64(heap, &buf, i * 8, next_random(&state)));
    }
    gcr_pin_t pin;
    gcr_status_t st = gcr_indexed_pin(heap, &buf, &pin);
    if (!mode_mark_region) {
        CHECK(st == GCR_ERR_UNSUPPORTED);
    } else {
        OK(st);
        for (int round = 0; round < 6; round++) {
            OK(gcr_indexed_alloc(heap, 1, 64, &garbage));
            qsort(pin.data, PINNED_VALUES, 8, compare_u64);
            OK(gcr_indexed_collect(heap));
            uint64_t prev = 0;
            for (size_t i = 0; i < PINNED_VALUES; i++) {
                OK(gcr_indexed_get_u64(heap, &buf, i * 8, &v));
                CHECK(v >= prev);
                prev = v;
            }
            uint64_t first = next_random(&state);
            memcpy(pin.data, &first, 8);
            OK(gcr_indexed_collect(heap));
            OK(gcr_indexed_get_u64(heap, &buf, 0, &v));
            CHECK(v == first);
        }
        gcr_pin_t again = pin;
        CHECK(gcr_indexed_unpin(other, &pin) == GCR_ERR_WRONG_HEAP);
        OK(gcr_indexed_unpin(heap, &pin));
        CHECK(gcr_indexed_unpin(heap, &again) == GCR_ERR_MISUSE);
    }
    gcr_indexed_root_unroot(&buf);
    gcr_indexed_root_unroot(&garbage);
    gcr_indexed_heap_destroy(heap);
    gcr_indexed_heap_destroy(other);
}

static void indexed_bad_input(void) {
    gcr_indexed_heap_t *heap = NULL, *other = NULL;
    CHECK(gcr_indexed_heap_new(NULL, NULL) == GCR_ERR_NULL);
    gcr_config_t small;
    gcr_config_default(&small, false);
    small.initial_bytes = 64;
    small.max_bytes = 256;
    OK(gcr_indexed_heap_new(&small, &heap));
    OK(gcr_indexed_heap_new(NULL, &other));
    gcr_indexed_root_t r, s, empty, foreign;
    gcr_indexed_root_init(&r);
    gcr_indexed_root_init(&s);
    gcr_indexed_root_init(&empty);
    gcr_indexed_root_init(&foreign);
    uint64_t v;
    CHECK(gcr_indexed_get_u64(heap, &empty, 0, &v) == GCR_ERR_EMPTY);
    CHECK(gcr_indexed_get_u64(NULL, &empty, 0, &v) == GCR_ERR_NULL);
    CHECK(gcr_indexed_alloc(heap, 0, 1024, &r) == GCR_ERR_TOO_LARGE);
    OK(gcr_indexed_alloc(heap, 2, 8, &r));
    CHECK(gcr_indexed_get_u64(heap, &r, 1, &v) == GCR_ERR_RANGE);
    CHECK(gcr_indexed_get_field(heap, &r, 2, &s) == GCR_ERR_RANGE);
    /* A root used with another heap, or with the right heap after its own
     * was destroyed (a new heap's table has another id). */
    OK(gcr_indexed_alloc(other, 0, 8, &foreign));
    CHECK(gcr_indexed_get_u64(heap, &foreign, 0, &v) == GCR_ERR_WRONG_HEAP);
    CHECK(gcr_indexed_set_field(heap, &r, 0, &foreign) == GCR_ERR_WRONG_HEAP);
    gcr_indexed_heap_destroy(other);
    CHECK(gcr_indexed_get_u64(heap, &foreign, 0, &v) == GCR_ERR_WRONG_HEAP);
    gcr_indexed_root_t late;
    gcr_indexed_root_init(&late);
    gcr_indexed_root_clone(&foreign, &late); /* outlives its table harmlessly */
    gcr_indexed_root_unroot(&foreign);
    gcr_indexed_root_unroot(&late);
    gcr_indexed_root_unroot(NULL);
    gcr_indexed_heap_destroy(NULL);
    gcr_indexed_root_unroot(&r);
    gcr_indexed_heap_destroy(heap);
}

/* A linked intrusive root copied as bytes (memcpy, struct assignment) is
 * in no list, so no collection updates it: every call that reads or writes
 * through it refuses with GCR_ERR_MISUSE, whether the original is still
 * linked or was destroyed, and across collections that move everything
 * (it once read another object's data). */
static void intrusive_root_copied_as_bytes_is_refused(void) {
    gcr_config_t c = zeal();
    gcr_intrusive_heap_t *heap = NULL;
    OK(gcr_intrusive_heap_new(&c, &heap));
    gcr_intrusive_root_t a, b, copy, assigned, out;
    gcr_intrusive_root_init(&a);
    gcr_intrusive_root_init(&b);
    gcr_intrusive_root_init(&out);
    OK(gcr_intrusive_alloc(heap, 1, 8, &a));
    OK(gcr_intrusive_set_u64(&a, 0, 1));
    OK(gcr_intrusive_alloc(heap, 1, 8, &b));
    OK(gcr_intrusive_set_u64(&b, 0, 2));
    memcpy(&copy, &a, sizeof a);
    assigned = b; /* struct assignment: the same bytes */
    uint64_t v = 0;
    bool same = false;
    CHECK(gcr_intrusive_get_u64(&copy, 0, &v) == GCR_ERR_MISUSE);
    CHECK(strstr(gcr_last_error(), "copied as bytes") != NULL);
    CHECK(gcr_intrusive_get_u64(&assigned, 0, &v) == GCR_ERR_MISUSE);
    CHECK(gcr_intrusive_set_u64(&copy, 0, 9) == GCR_ERR_MISUSE);
    CHECK(gcr_intrusive_get_field(&copy, 0, &out) == GCR_ERR_MISUSE);
    CHECK(gcr_intrusive_set_field(&a, 0, &copy) == GCR_ERR_MISUSE);
    CHECK(gcr_intrusive_same(&a, &copy, &same) == GCR_ERR_MISUSE);
    gcr_intrusive_root_destroy(&a);
    OK(gcr_intrusive_collect(heap));
    OK(gcr_intrusive_collect(heap));
    CHECK(gcr_intrusive_get_u64(&copy, 0, &v) == GCR_ERR_MISUSE);
    CHECK(v == 0);
    OK(gcr_intrusive_get_u64(&b, 0, &v));
    CHECK(v == 2);
    /* The copies are forgotten, not destroyed (destroying one aborts: the
     * "memcpy" run below). */
    gcr_intrusive_root_init(&copy);
    gcr_intrusive_root_init(&assigned);
    CHECK(gcr_intrusive_get_u64(&copy, 0, &v) == GCR_ERR_EMPTY);
    gcr_intrusive_root_destroy(&b);
    CHECK(gcr_intrusive_root_count(heap) == 0);
    gcr_intrusive_heap_destroy(heap);
}

/* An indexed root copied as bytes is an uncounted twin: the first of the
 * two to be unrooted unroots both, and every later use of the other is
 * GCR_ERR_STALE, never freed memory (valgrind and ASan check), even after
 * its heap is gone. realloc of an array of indexed roots is a move. */
static void indexed_root_copied_as_bytes_is_stale(void) {
    gcr_config_t c = zeal();
    gcr_indexed_heap_t *heap = NULL;
    OK(gcr_indexed_heap_new(&c, &heap));
    gcr_indexed_root_t r, twin, clone;
    gcr_indexed_root_init(&r);
    gcr_indexed_root_init(&clone);
    OK(gcr_indexed_alloc(heap, 0, 8, &r));
    OK(gcr_indexed_set_u64(heap, &r, 0, 7));
    memcpy(&twin, &r, sizeof r);
    uint64_t v = 0;
    OK(gcr_indexed_get_u64(heap, &twin, 0, &v)); /* the same slot, for now */
    CHECK(v == 7);
    OK(gcr_indexed_root_unroot(&twin)); /* unroots both */
    CHECK(gcr_indexed_root_is_empty(&twin));
    CHECK(gcr_indexed_get_u64(heap, &r, 0, &v) == GCR_ERR_STALE);
    CHECK(strstr(gcr_last_error(), "unrooted") != NULL);
    CHECK(gcr_indexed_root_clone(&r, &clone) == GCR_ERR_STALE);
    CHECK(gcr_indexed_root_is_empty(&clone));
    CHECK(gcr_indexed_root_count(heap) == 0);
    OK(gcr_indexed_collect(heap));
    OK(gcr_indexed_collect(heap));
    CHECK(gcr_indexed_set_u64(heap, &r, 0, 1) == GCR_ERR_STALE);
    /* The slot is reused; the stale twin still names nothing. */
    OK(gcr_indexed_alloc(heap, 0, 8, &clone));
    OK(gcr_indexed_set_u64(heap, &clone, 0, 9));
    CHECK(gcr_indexed_get_u64(heap, &r, 0, &v) == GCR_ERR_STALE);
    CHECK(gcr_indexed_root_unroot(&r) == GCR_ERR_STALE); /* a second unroot */
    CHECK(gcr_indexed_root_is_empty(&r));
    OK(gcr_indexed_get_u64(heap, &clone, 0, &v));
    CHECK(v == 9);
    CHECK(gcr_indexed_root_count(heap) == 1);
    OK(gcr_indexed_root_unroot(&clone));

    /* realloc of an array of roots moves them: the old memory is never
     * used again, so each handle exists once. */
    size_t n = 64;
    gcr_indexed_root_t *roots = calloc(4, sizeof *roots);
    CHECK(roots != NULL);
    for (uint64_t i = 0; i < 4; i++) {
        OK(gcr_indexed_alloc(heap, 0, 8, &roots[i]));
        OK(gcr_indexed_set_u64(heap, &roots[i], 0, i));
    }
    gcr_indexed_root_t *grown = realloc(roots, n * sizeof *roots);
    CHECK(grown != NULL);
    roots = grown;
    for (size_t i = 4; i < n; i++) {
        gcr_indexed_root_init(&roots[i]);
    }
    OK(gcr_indexed_collect(heap));
    for (uint64_t i = 0; i < 4; i++) {
        OK(gcr_indexed_get_u64(heap, &roots[i], 0, &v));
        CHECK(v == i);
    }
    CHECK(gcr_indexed_root_count(heap) == 4);
    for (size_t i = 0; i < n; i++) {
        OK(gcr_indexed_root_unroot(&roots[i]));
    }
    free(roots);

    /* Twins that outlive their heap: no freed memory either. */
    OK(gcr_indexed_alloc(heap, 0, 8, &r));
    memcpy(&twin, &r, sizeof r);
    gcr_indexed_heap_destroy(heap);
    CHECK(gcr_indexed_root_unroot(&r) == GCR_ERR_STALE); /* the heap ended it */
    CHECK(gcr_indexed_root_unroot(&twin) == GCR_ERR_STALE);
}

/* A linked intrusive root moved by memcpy: destroying the copy must abort
 * with a message (its neighbours do not point at it). */
static void memcpy_a_linked_root(void) {
    gcr_intrusive_heap_t *heap = NULL;
    OK(gcr_intrusive_heap_new(NULL, &heap));
    gcr_intrusive_root_t a, b, moved;
    gcr_intrusive_root_init(&a);
    gcr_intrusive_root_init(&b);
    OK(gcr_intrusive_alloc(heap, 0, 8, &a));
    OK(gcr_intrusive_alloc(heap, 0, 8, &b));
    memcpy(&moved, &a, sizeof a);
    gcr_intrusive_root_init(&a); /* forget the original */
    gcr_intrusive_root_destroy(&b);
    gcr_intrusive_root_destroy(&moved); /* aborts */
    fprintf(stderr, "not reached\n");
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "memcpy") == 0) {
        memcpy_a_linked_root();
        return 0;
    }
    /* Every heap mode: semispace, generational with a 4 KiB nursery, and
     * both again over a mark-region space. */
    for (int mode = 0; mode < 4; mode++) {
        mode_nursery = (mode & 1) ? 4096 : 0;
        mode_mark_region = (mode & 2) != 0;
        intrusive_roots_follow_their_objects();
        indexed_roots_follow_their_objects();
        intrusive_pinned_bytes_survive_qsort();
        indexed_pinned_bytes_survive_qsort();
    }
    intrusive_bad_input();
    intrusive_root_copied_as_bytes_is_refused();
    indexed_bad_input();
    indexed_root_copied_as_bytes_is_stale();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("c_api: all checks passed\n");
    return 0;
}
