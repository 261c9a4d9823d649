//! A map with a fixed maximum size, for what long-running sources remember.
//!
//! A watched folder or a polled feed runs for months. Remembering every file or feed entry ever
//! seen would grow without end, so sources remember the most recent ones only: when the map is
//! full, the entry inserted first is forgotten. Forgetting costs at worst a repeated event for a
//! very old entry, never a lost one.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// A map holding at most `capacity` entries, forgetting the oldest inserted key when full.
/// Updating the value of a key already present does not make it younger.
#[derive(Debug)]
pub(crate) struct BoundedMap<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V> BoundedMap<K, V> {
    /// An empty map that will hold at most `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> BoundedMap<K, V> {
        BoundedMap {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// The value of `key`, if remembered.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    /// Whether `key` is remembered.
    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(key)
    }

    /// Remembers `value` for `key`, forgetting the oldest key when a new key would exceed the
    /// capacity.
    pub(crate) fn insert(&mut self, key: K, value: V) {
        if let Some(slot) = self.map.get_mut(&key) {
            *slot = value;
            return;
        }
        if self.map.len() >= self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.map.remove(&oldest);
        }
        self.order.push_back(key.clone());
        self.map.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_oldest_key_when_full() {
        let mut m = BoundedMap::new(2);
        m.insert("a", 1);
        m.insert("b", 2);
        m.insert("a", 3); // an update, not a new key
        assert_eq!(m.get("a"), Some(&3));
        m.insert("c", 4);
        assert!(!m.contains_key("a"));
        assert_eq!((m.get("b"), m.get("c")), (Some(&2), Some(&4)));
        assert_eq!((m.map.len(), m.order.len()), (2, 2));
    }
}
