//! A handle to shared, read-mostly state (a compiled gazetteer, a rule set) that can be replaced
//! atomically while the pipeline runs.
//!
//! Stages load the current value once per event and keep using that snapshot for the whole event,
//! so an event is never tagged half with the old gazetteer and half with the new one. Replacing
//! the value never blocks readers.

use std::sync::Arc;

use arc_swap::ArcSwap;

/// Shared state that can be swapped atomically between events.
#[derive(Debug)]
pub struct Reloadable<T> {
    current: Arc<ArcSwap<T>>,
}

impl<T> Clone for Reloadable<T> {
    fn clone(&self) -> Self {
        Reloadable {
            current: Arc::clone(&self.current),
        }
    }
}

impl<T> Reloadable<T> {
    /// A handle holding `value`.
    pub fn new(value: T) -> Reloadable<T> {
        Reloadable {
            current: Arc::new(ArcSwap::from_pointee(value)),
        }
    }

    /// The current value; hold it for the duration of one event.
    pub fn load(&self) -> Arc<T> {
        self.current.load_full()
    }

    /// Replaces the value for every clone of this handle. Events already holding the old value
    /// finish with it.
    pub fn replace(&self, value: T) {
        self.current.store(Arc::new(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_is_seen_by_clones_and_old_snapshots_survive() {
        let a = Reloadable::new(1);
        let b = a.clone();
        let snapshot = a.load();
        b.replace(2);
        assert_eq!(*snapshot, 1);
        assert_eq!(*a.load(), 2);
    }
}
