//! The plain model: objects by index, references as indices, and which of
//! them the roots hold. No collector, no addresses: what a heap must
//! behave like.

/// One object of the model.
#[derive(Clone, Debug)]
pub(crate) struct Object {
    /// The heap it lives in (physical: it does not change when the heaps
    /// are swapped).
    pub(crate) heap: usize,
    pub(crate) fields: Vec<Option<usize>>,
    /// Data words; word 0 is the object's index, its identity.
    pub(crate) data: Vec<u64>,
}

impl Object {
    pub(crate) fn bytes(&self) -> usize {
        8 * (1 + self.fields.len() + self.data.len())
    }
}

/// The model of two heaps and their roots.
#[derive(Debug, Default)]
pub(crate) struct Model {
    pub(crate) objects: Vec<Object>,
    /// The object each frame's scoped root holds, outermost first.
    pub(crate) frames: Vec<usize>,
    /// The objects persistent roots hold, oldest first.
    pub(crate) persistent: Vec<usize>,
    /// Each physical heap's vector root.
    pub(crate) vectors: [Vec<usize>; 2],
    /// Which physical heap each label names (the heaps can be swapped).
    pub(crate) labels: [usize; 2],
    /// Weak roots: the object, and whether a full collection found it
    /// unreachable (so the root must read as cleared).
    pub(crate) weak: Vec<(usize, bool)>,
    /// Each physical heap's ephemeron table: (key, value), keys distinct.
    pub(crate) maps: [Vec<(usize, usize)>; 2],
    /// Registrations: target, held value; removed when unregistered or
    /// handed over.
    pub(crate) registrations: Vec<(usize, u64)>,
}

impl Model {
    pub(crate) fn new() -> Self {
        Model {
            labels: [0, 1],
            ..Model::default()
        }
    }

    /// The number of handles: frames first (outermost first), then
    /// persistent roots.
    pub(crate) fn handles(&self) -> usize {
        self.frames.len() + self.persistent.len()
    }

    /// `h` reduced to a handle, if there is any.
    pub(crate) fn handle(&self, h: u16) -> Option<usize> {
        let n = self.handles();
        (n > 0).then(|| h as usize % n)
    }

    /// The object handle `h` holds.
    pub(crate) fn object_of(&self, h: usize) -> usize {
        if h < self.frames.len() {
            self.frames[h]
        } else {
            self.persistent[h - self.frames.len()]
        }
    }

    /// A new object in physical heap `heap`.
    pub(crate) fn alloc(&mut self, heap: usize, fields: usize, words: usize) -> usize {
        let id = self.objects.len();
        let mut data = vec![0; 1 + words];
        data[0] = id as u64;
        self.objects.push(Object {
            heap,
            fields: vec![None; fields],
            data,
        });
        id
    }

    /// The objects of physical heap `heap` reachable from its roots, and
    /// from the values of its ephemeron entries whose keys are reachable,
    /// to a fixpoint: what a full collection keeps.
    pub(crate) fn reachable(&self, heap: usize) -> Vec<bool> {
        let mut seen = vec![false; self.objects.len()];
        let mut stack: Vec<usize> = self
            .frames
            .iter()
            .chain(&self.persistent)
            .chain(&self.vectors[heap])
            .copied()
            .filter(|&o| self.objects[o].heap == heap)
            .collect();
        loop {
            while let Some(id) = stack.pop() {
                if std::mem::replace(&mut seen[id], true) {
                    continue;
                }
                stack.extend(self.objects[id].fields.iter().flatten());
            }
            stack.extend(
                self.maps[heap]
                    .iter()
                    .filter(|&&(k, v)| seen[k] && !seen[v])
                    .map(|&(_, v)| v),
            );
            if stack.is_empty() {
                return seen;
            }
        }
    }

    /// Bytes reachable in physical heap `heap` (see
    /// [`reachable`](Self::reachable)).
    pub(crate) fn live_bytes(&self, heap: usize) -> usize {
        self.reachable(heap)
            .iter()
            .enumerate()
            .filter(|&(_, &r)| r)
            .map(|(id, _)| self.objects[id].bytes())
            .sum()
    }
}
