//! Wrapper cache: a host's native objects, each looked up by its key and
//! handed to the script as a GC *wrapper* that the cache holds weakly (a
//! browser's DOM wrappers, V8's `Global::SetWeak`, SpiderMonkey's wrapper
//! cache). Most keys are fresh (their wrappers die young); some are a hot
//! set that the host's "document" keeps alive; the rest revisit recent
//! keys, whose wrappers may or may not have been collected yet.
//!
//! Weak references of all three kinds are used as an embedder would:
//! the cache maps keys to [`Weak`] roots; a
//! [`FinalizationRegistry`](gcroots::FinalizationRegistry) tells the host
//! which wrappers died, and the host then drops their cache entries; one
//! wrapper in four gets an "expando" object (script-added properties) in a
//! [`WeakMap`](gcroots::WeakMap) keyed by the wrapper.
//!
//! The checksum reads every wrapper and expando it hands out, whose
//! contents depend on the key only, so it is the same whether a lookup hit
//! the cache or made a new wrapper (which depends on when collections ran:
//! under the conservative scheme, on what the stack kept).

use std::collections::HashMap;

use gcroots::{AllocError, Heap, Persistent, Scheme, Shape, Weak};

use super::Xorshift;

/// Lookups in a full run.
pub const FULL: u64 = 2_000_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = 100;

/// The keys the document keeps alive.
const HOT: u64 = 256;
/// Lookups between two runs of the finalizers (the host's cleanup job).
const CLEANUP_EVERY: u64 = 1024;
/// A wrapper: a field for the native object's (unused here) children and
/// 16 bytes: the key and a value derived from it.
const WRAPPER: Shape = Shape::new(1, 16);
const EXPANDO: Shape = Shape::new(0, 8);

fn payload(key: u64) -> u64 {
    key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7
}

/// The next key to look up: a hot one (a quarter of the lookups), a
/// recent fresh one (an eighth), or a new one.
fn next_key(rng: &mut Xorshift, fresh: &mut u64) -> u64 {
    match rng.next() % 8 {
        0 | 1 => rng.next() % HOT,
        2 => *fresh - 1 - rng.next() % 64.min(*fresh - HOT).max(1),
        _ => {
            *fresh += 1;
            *fresh - 1
        }
    }
}

/// What a lookup of `key` adds to the checksum, hit or miss.
fn read(key: u64) -> u64 {
    let expando = if key % 4 == 0 { key ^ 0xe } else { 0 };
    (key ^ payload(key)).wrapping_add(expando)
}

/// The checksum of `size` lookups, computed without a heap.
pub fn expected(size: u64) -> u64 {
    let mut rng = Xorshift::new(SEED);
    let mut fresh = HOT;
    let mut hot = std::collections::HashSet::new();
    let mut sum = 0u64;
    for _ in 0..size {
        let key = next_key(&mut rng, &mut fresh);
        if key < HOT {
            hot.insert(key);
        }
        sum = sum.wrapping_add(read(key));
    }
    sum.wrapping_add(hot.len() as u64)
}

const SEED: u64 = 0x5eed_cafe;

/// Performs `size` lookups and returns the checksum.
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let roots = heap.roots();
    let registry = heap.finalization_registry();
    let expandos = heap.weak_map();
    let mut cache: HashMap<u64, Weak<'_, S>> = HashMap::new();
    let mut document: Vec<Persistent<'_, S>> = Vec::new();
    let mut rng = Xorshift::new(SEED);
    let mut fresh = HOT;
    let mut sum = 0u64;
    for i in 0..size {
        let key = next_key(&mut rng, &mut fresh);
        let hit = cache.get(&key).and_then(|w| w.upgrade(heap));
        let wrapper = match hit {
            Some(w) => roots.persist(w),
            None => {
                let w = heap.alloc(WRAPPER)?;
                w.write_u64(0, key);
                w.write_u64(8, payload(key));
                let w = roots.persist(w);
                if key % 4 == 0 {
                    let e = heap.alloc(EXPANDO)?;
                    e.write_u64(0, key ^ 0xe);
                    let e = roots.persist(e);
                    expandos.insert(heap.get(&w), heap.get(&e));
                }
                registry.register(heap.get(&w), key);
                cache.insert(key, heap.weak(&w));
                if key < HOT && document.len() < HOT as usize {
                    document.push(roots.persist(heap.get(&w)));
                }
                w
            }
        };
        let w = heap.get(&wrapper);
        assert_eq!(w.read_u64(0), key, "the cache gave another key's wrapper");
        sum = sum.wrapping_add(w.read_u64(0) ^ w.read_u64(8));
        if let Some(e) = expandos.get(w) {
            sum = sum.wrapping_add(e.read_u64(0));
        }
        drop(wrapper);
        if i % CLEANUP_EVERY == CLEANUP_EVERY - 1 {
            heap.run_finalizers(|heap, _, key| {
                // The key may have a newer wrapper since: keep that one.
                if cache.get(&key).is_some_and(|w| w.upgrade(heap).is_none()) {
                    cache.remove(&key);
                }
            });
        }
    }
    Ok(sum.wrapping_add(document.len() as u64))
}
