//! Maps for the memos a build looks words up in once per word — the shaping of a
//! word, its hyphenation points — hashed with FxHash (the multiply-and-rotate hash
//! of Firefox and rustc) instead of the standard library's SipHash.
//!
//! SipHash guards a map against keys chosen to collide; the keys here are a
//! manuscript's own words, and the worst such a manuscript could do is slow its
//! own build. SipHash cost as much as the lookup it served: a tenth of a word's
//! shaping when the word was found. No map hashed here is ever iterated into an
//! output, so its order never reaches an edition.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map hashed with [`WordHasher`].
pub type Memo<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// FxHash: each word of input rotated into the state and multiplied by a constant
/// (rustc's `FxHasher`, after Firefox's `HashFunctions.h`).
#[derive(Debug, Default, Clone, Copy)]
pub struct WordHasher(u64);

/// The multiplier: 2^64 divided by the golden ratio, made odd (Knuth's
/// multiplicative hashing, TAOCP vol. 3, §6.4), as rustc's `FxHasher` uses.
const K: u64 = 0x517c_c1b7_2722_0a95;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            // The length too, so that "a" and "a\0" differ.
            self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    fn hash(s: &str) -> u64 {
        BuildHasherDefault::<WordHasher>::default().hash_one(s)
    }

    #[test]
    fn tells_apart_words_that_differ_in_a_letter_or_a_length() {
        // Every word of a few letters, and its prefixes: all hash apart.
        let mut seen = std::collections::BTreeMap::new();
        for a in b'a'..=b'z' {
            for b in b'a'..=b'z' {
                for w in [
                    vec![a],
                    vec![a, b],
                    vec![a, b, 0],
                    vec![a, b, b'e', b'r', b's', b't', b'a', b'n', b'd'],
                    vec![a, b, b'e', b'r', b's', b't', b'a', b'n', b'd', 0],
                ] {
                    let w = String::from_utf8(w).unwrap();
                    if let Some(other) = seen.insert(hash(&w), w.clone()) {
                        assert_eq!(other, w, "{other:?} and {w:?} hash alike");
                    }
                }
            }
        }
        assert_eq!(seen.len(), 26 + 26 * 26 * 4);
    }

    #[test]
    fn a_memo_finds_what_it_was_given() {
        let mut m: Memo<String, usize> = Memo::default();
        let words: Vec<String> = (0..5000).map(|n| format!("word{n}")).collect();
        for (n, w) in words.iter().enumerate() {
            m.insert(w.clone(), n);
        }
        for (n, w) in words.iter().enumerate() {
            assert_eq!(m.get(w.as_str()), Some(&n));
        }
        assert_eq!(m.get("word5000"), None);
        // A tuple key hashes its parts in turn.
        let mut t: Memo<(u16, bool), u8> = Memo::default();
        t.insert((1, true), 1);
        t.insert((1, false), 2);
        assert_eq!((t.get(&(1, true)), t.get(&(1, false))), (Some(&1), Some(&2)));
    }
}
