//! A gap buffer: a sequence that takes a splice at the cost of what it changes
//! and of the distance from the last splice, not of everything after it.
//!
//! The page builder sets paragraphs again as it goes (a line longer or shorter)
//! and puts each one back in the galley. A `Vec` splice moves every item after
//! it, so a book paid the length of its galley for each paragraph set again: a
//! cost that grew with the square of its length. The builder works forward
//! through the galley, so the gap only moves by the pages between two splices,
//! and each item moves across it about once in all.

/// Items before the gap in order, those after it last first.
pub(super) struct Gap<T> {
    front: Vec<T>,
    back: Vec<T>,
}

impl<T> Gap<T> {
    /// The sequence `items`, its gap at the start.
    pub(super) fn new(mut items: Vec<T>) -> Self {
        items.reverse();
        Gap { front: Vec::with_capacity(items.len()), back: items }
    }

    pub(super) fn len(&self) -> usize {
        self.front.len() + self.back.len()
    }

    /// Item `j`, if there is one.
    pub(super) fn get(&self, j: usize) -> Option<&T> {
        match j.checked_sub(self.front.len()) {
            None => self.front.get(j),
            Some(k) => self.back.len().checked_sub(k + 1).map(|i| &self.back[i]),
        }
    }

    /// Replaces items `at..at + old` with `new`.
    pub(super) fn splice(&mut self, at: usize, old: usize, new: Vec<T>) {
        assert!(at + old <= self.len(), "a splice within the sequence");
        self.move_gap(at);
        self.back.truncate(self.back.len() - old);
        self.front.extend(new);
    }

    /// Moves the gap to just before item `at`.
    fn move_gap(&mut self, at: usize) {
        while self.front.len() > at {
            self.back.extend(self.front.pop());
        }
        while self.front.len() < at {
            self.front.extend(self.back.pop());
        }
    }

    /// The sequence, in order.
    pub(super) fn into_vec(mut self) -> Vec<T> {
        self.back.reverse();
        self.front.append(&mut self.back);
        self.front
    }
}

impl<T> std::ops::Index<usize> for Gap<T> {
    type Output = T;

    fn index(&self, j: usize) -> &T {
        self.get(j).expect("an index within the sequence")
    }
}

#[cfg(test)]
mod tests {
    use super::Gap;
    use proptest::prelude::*;

    proptest! {
        /// Any run of splices leaves the same sequence as `Vec::splice`, and every
        /// item reads the same on the way.
        #[test]
        fn splices_match_a_vec(
            start in proptest::collection::vec(0u32..1000, 0..40),
            ops in proptest::collection::vec((0usize..50, 0usize..5, proptest::collection::vec(1000u32..2000, 0..5)), 0..30),
        ) {
            let mut v = start.clone();
            let mut g = Gap::new(start);
            for (at, old, new) in ops {
                let at = at.min(v.len());
                let old = old.min(v.len() - at);
                v.splice(at..at + old, new.clone());
                g.splice(at, old, new);
                prop_assert_eq!(g.len(), v.len());
                for (j, x) in v.iter().enumerate() {
                    prop_assert_eq!(&g[j], x);
                }
                prop_assert_eq!(g.get(v.len()), None);
            }
            prop_assert_eq!(g.into_vec(), v);
        }
    }
}
