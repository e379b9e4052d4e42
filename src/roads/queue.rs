//! Priority queues for the many-to-many Dijkstra: the standard binary heap,
//! and a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990), which works
//! because Dijkstra pops keys in non-decreasing order: a key goes to the
//! bucket of the highest bit in which it differs from the last key popped,
//! and is moved at most 32 times, to ever lower buckets. `rota bench roads
//! --queue binary,radix` measures both (docs/roads.md).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Which queue a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Queue {
    Binary,
    Radix,
}

impl Queue {
    pub fn name(self) -> &'static str {
        match self {
            Queue::Binary => "binary",
            Queue::Radix => "radix",
        }
    }
}

/// A min-queue of `(key, node)` for a monotone search (no key pushed is
/// below the last key popped).
pub trait MinQueue {
    fn push(&mut self, key: u32, node: u32);
    fn pop(&mut self) -> Option<(u32, u32)>;
    /// Empty, keeping the memory, ready for a new search from key 0.
    fn clear(&mut self);
}

impl MinQueue for BinaryHeap<Reverse<(u32, u32)>> {
    fn push(&mut self, key: u32, node: u32) {
        BinaryHeap::push(self, Reverse((key, node)));
    }
    fn pop(&mut self) -> Option<(u32, u32)> {
        BinaryHeap::pop(self).map(|Reverse(x)| x)
    }
    fn clear(&mut self) {
        BinaryHeap::clear(self);
    }
}

/// A radix heap over `u32` keys.
#[derive(Debug)]
pub struct RadixHeap {
    last: u32,
    len: usize,
    /// Bucket 0: keys equal to `last`; bucket `i`: keys whose highest bit
    /// differing from `last` is bit `i - 1`.
    buckets: Vec<Vec<(u32, u32)>>,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            last: 0,
            len: 0,
            buckets: (0..33).map(|_| Vec::new()).collect(),
        }
    }
}

fn bucket(key: u32, last: u32) -> usize {
    (32 - (key ^ last).leading_zeros()) as usize
}

impl RadixHeap {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl MinQueue for RadixHeap {
    fn push(&mut self, key: u32, node: u32) {
        debug_assert!(key >= self.last, "radix heap: key below the last popped");
        self.buckets[bucket(key, self.last)].push((key, node));
        self.len += 1;
    }

    fn pop(&mut self) -> Option<(u32, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..33).find(|&i| !self.buckets[i].is_empty())?;
            let moved = std::mem::take(&mut self.buckets[i]);
            self.last = moved.iter().map(|e| e.0).min().unwrap_or(self.last);
            for &(k, v) in &moved {
                self.buckets[bucket(k, self.last)].push((k, v));
            }
            // Give the (now empty) bucket its memory back.
            let mut moved = moved;
            moved.clear();
            self.buckets[i] = moved;
        }
        self.len -= 1;
        self.buckets[0].pop()
    }

    fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = 0;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// A monotone sequence of pushes and pops gives the same keys in the
    /// same order from both queues.
    #[test]
    fn the_radix_heap_pops_what_the_binary_heap_pops() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut radix = RadixHeap::default();
        let mut binary: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::new();
        for round in 0..3 {
            let mut last = 0u32;
            for step in 0..20_000u32 {
                if rng.gen_range(0..3) > 0 || radix.is_empty() {
                    let key = last + rng.gen_range(0..100_000);
                    radix.push(key, step);
                    MinQueue::push(&mut binary, key, step);
                } else {
                    let a = radix.pop().unwrap();
                    let b = MinQueue::pop(&mut binary).unwrap();
                    assert_eq!(a.0, b.0, "round {round} step {step}");
                    last = a.0;
                }
            }
            while let Some((k, _)) = radix.pop() {
                assert_eq!(k, MinQueue::pop(&mut binary).unwrap().0);
            }
            assert!(MinQueue::pop(&mut binary).is_none());
            radix.clear();
            binary.clear();
        }
    }
}
