/* The conservative scheme's C API from C: objects held as plain pointers
 * in locals, with no root call, across collections that (in zeal mode)
 * evacuate every object no stack word points to; long-lived references
 * in roots; every bad input.
 * Run by capi/tests/programs.rs (plain, and under AddressSanitizer and
 * UndefinedBehaviorSanitizer in CI, and valgrind, whose reports of the
 * stack scan's reads of uninitialised stack words are suppressed by
 * capi/tests/valgrind.supp). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcroots.h"

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

/* Mark-region zeal: a collection before every allocation, every other one
 * evacuating every object it may, the dead poisoned, the heap verified. */
static gcr_config_t zeal(void) {
    gcr_config_t c;
    gcr_config_default(&c, true);
    c.mark_region = true;
    return c;
}

/* Builds the list n-1, ..., 0 in plain locals (a cell: one field, 8
 * bytes), collecting as it goes, and returns its head. */
static gcr_object_t *build(gcr_conservative_heap_t *h, uint64_t n) {
    gcr_object_t *head = NULL;
    for (uint64_t i = 0; i < n; i++) {
        gcr_object_t *cell;
        OK(gcr_conservative_alloc(h, 1, 8, &cell));
        OK(gcr_conservative_set_u64(h, cell, 0, i));
        OK(gcr_conservative_set_field(h, cell, 0, head));
        head = cell;
        if (i % 7 == 0) {
            OK(gcr_conservative_collect(h));
        }
    }
    return head;
}

static uint64_t sum(gcr_conservative_heap_t *h, gcr_object_t *at, uint64_t *len) {
    uint64_t s = 0;
    *len = 0;
    while (at != NULL) {
        uint64_t v = 0;
        OK(gcr_conservative_get_u64(h, at, 0, &v));
        s += v;
        (*len)++;
        gcr_object_t *next = NULL;
        OK(gcr_conservative_get_field(h, at, 0, &next));
        at = next;
    }
    return s;
}

static void locals_keep_their_objects(void) {
    gcr_conservative_heap_t *h;
    gcr_config_t c = zeal();
    OK(gcr_conservative_heap_new(&c, &h));
    gcr_object_t *list = build(h, 50);
    for (int k = 0; k < 4; k++) {
        OK(gcr_conservative_collect(h));
    }
    uint64_t len;
    CHECK(sum(h, list, &len) == 50 * 49 / 2);
    CHECK(len == 50);
    size_t fields = 0, bytes = 0;
    OK(gcr_conservative_shape(h, list, &fields, &bytes));
    CHECK(fields == 1 && bytes == 8);
    gcr_stats_t s;
    OK(gcr_conservative_stats(h, &s));
    CHECK(s.collections > 4);
    CHECK(s.live_bytes_after_gc >= 50 * 24);
    gcr_conservative_heap_destroy(h);
}

/* A reference kept off the stack (in malloc'ed memory) needs a root; the
 * root follows its object when zeal evacuates it, and is cloned and
 * unrooted with the indexed functions, which take no heap. */
static void roots_for_references_off_the_stack(void) {
    gcr_conservative_heap_t *h;
    gcr_config_t c = zeal();
    OK(gcr_conservative_heap_new(&c, &h));
    gcr_conservative_root_t *kept = malloc(2 * sizeof *kept);
    gcr_indexed_root_init(&kept[0]);
    gcr_indexed_root_init(&kept[1]);
    {
        gcr_object_t *o;
        OK(gcr_conservative_alloc(h, 0, 16, &o));
        OK(gcr_conservative_set_u64(h, o, 8, 4242));
        OK(gcr_conservative_persist(h, o, &kept[0]));
    }
    OK(gcr_indexed_root_clone(&kept[0], &kept[1]));
    for (int k = 0; k < 6; k++) {
        gcr_object_t *garbage;
        OK(gcr_conservative_alloc(h, 0, 64, &garbage));
        OK(gcr_conservative_collect(h));
    }
    gcr_object_t *back = NULL;
    OK(gcr_conservative_root_get(h, &kept[1], &back));
    uint64_t v = 0;
    OK(gcr_conservative_get_u64(h, back, 8, &v));
    CHECK(v == 4242);
    OK(gcr_indexed_root_unroot(&kept[0]));
    OK(gcr_indexed_root_unroot(&kept[1]));
    CHECK(gcr_indexed_root_is_empty(&kept[0]));
    free(kept);
    gcr_conservative_heap_destroy(h);
}

static void bad_input(void) {
    gcr_conservative_heap_t *h = NULL;
    /* A mode that cannot pin is refused by name. */
    gcr_config_t semi;
    gcr_config_default(&semi, false);
    CHECK(gcr_conservative_heap_new(&semi, &h) == GCR_ERR_UNSUPPORTED);
    CHECK(strstr(gcr_last_error(), "mark_region") != NULL);
    gcr_config_t gen = zeal();
    gen.nursery_bytes = 4096;
    CHECK(gcr_conservative_heap_new(&gen, &h) == GCR_ERR_UNSUPPORTED);
    CHECK(gcr_conservative_heap_new(NULL, NULL) == GCR_ERR_NULL);
    OK(gcr_conservative_heap_new(NULL, &h));

    gcr_object_t *o;
    OK(gcr_conservative_alloc(h, 2, 16, &o));
    uint64_t v;
    CHECK(gcr_conservative_get_u64(h, o, 16, &v) == GCR_ERR_RANGE);
    CHECK(gcr_conservative_get_u64(h, o, 9, &v) == GCR_ERR_RANGE);
    CHECK(gcr_conservative_get_field(h, o, 2, &o) == GCR_ERR_RANGE);
    CHECK(gcr_conservative_get_u64(h, NULL, 0, &v) == GCR_ERR_NULL);
    CHECK(gcr_conservative_get_u64(NULL, o, 0, &v) == GCR_ERR_NULL);
    /* Not an object's first byte, nor an object at all: refused before
     * anything is read. */
    gcr_object_t *inside = (gcr_object_t *)((char *)o + 8);
    CHECK(gcr_conservative_get_u64(h, inside, 0, &v) == GCR_ERR_STALE);
    CHECK(strstr(gcr_last_error(), "not an object of this heap") != NULL);
    uint64_t local = 0;
    CHECK(gcr_conservative_set_u64(h, (gcr_object_t *)&local, 0, 1) == GCR_ERR_STALE);
    CHECK(gcr_conservative_set_field(h, o, 0, inside) == GCR_ERR_STALE);
    CHECK(gcr_conservative_alloc(h, 0, (size_t)1 << 62, &o) == GCR_ERR_TOO_LARGE);

    /* Another heap's object, and a root of another heap. */
    gcr_conservative_heap_t *other;
    OK(gcr_conservative_heap_new(NULL, &other));
    gcr_object_t *theirs;
    OK(gcr_conservative_alloc(other, 0, 8, &theirs));
    CHECK(gcr_conservative_get_u64(h, theirs, 0, &v) == GCR_ERR_STALE);
    CHECK(gcr_conservative_set_field(h, o, 0, theirs) == GCR_ERR_STALE);
    gcr_conservative_root_t r;
    gcr_indexed_root_init(&r);
    gcr_object_t *got;
    CHECK(gcr_conservative_root_get(h, &r, &got) == GCR_ERR_EMPTY);
    OK(gcr_conservative_persist(other, theirs, &r));
    CHECK(gcr_conservative_root_get(h, &r, &got) == GCR_ERR_WRONG_HEAP);
    OK(gcr_conservative_root_get(other, &r, &got));
    CHECK(got == theirs);
    OK(gcr_indexed_root_unroot(&r));
    gcr_conservative_heap_destroy(other);
    gcr_conservative_heap_destroy(h);
}

int main(void) {
    locals_keep_their_objects();
    roots_for_references_off_the_stack();
    bad_input();
    if (failures != 0) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
