//! RFC 6962 / RFC 9162 Merkle trees over the journal's entries: leaf and node hashing, the root of
//! any prefix, inclusion proofs and consistency proofs, and their verification.
//!
//! The leaf of entry `i` is `SHA-256(0x00 || i as u64 LE || payload)`: the entry's index is part of
//! what is hashed, so a proof binds a payload to its position in the log.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(index: u64, payload: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(index.to_le_bytes());
    h.update(payload);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of an empty tree: the hash of the empty string (RFC 6962 section 2.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly below `n` (n >= 2).
fn split_point(n: usize) -> usize {
    debug_assert!(n >= 2);
    1usize << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// A leaf number as an index into leaves held in memory (which are therefore addressable).
fn leaf_index(n: u64) -> usize {
    usize::try_from(n).expect("leaves held in memory fit the address space")
}

/// The root over `leaves` (MTH in RFC 6962).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split_point(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path for leaf `index` in the tree over `leaves` (PATH in RFC 6962).
pub fn inclusion_proof(index: u64, leaves: &[Hash]) -> Vec<Hash> {
    let mut proof = Vec::new();
    inclusion_path(leaf_index(index), leaves, &mut proof);
    proof
}

fn inclusion_path(m: usize, leaves: &[Hash], proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < k {
        inclusion_path(m, &leaves[..k], proof);
        proof.push(root(&leaves[k..]));
    } else {
        inclusion_path(m - k, &leaves[k..], proof);
        proof.push(root(&leaves[..k]));
    }
}

/// The proof that the tree of the first `old_size` leaves is a prefix of the tree over `leaves`
/// (PROOF in RFC 6962).
pub fn consistency_proof(old_size: u64, leaves: &[Hash]) -> Vec<Hash> {
    let mut proof = Vec::new();
    if old_size > 0 && leaf_index(old_size) < leaves.len() {
        subproof(leaf_index(old_size), leaves, true, &mut proof);
    }
    proof
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, proof: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            proof.push(root(leaves));
        }
        return;
    }
    let k = split_point(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, proof);
        proof.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, proof);
        proof.push(root(&leaves[..k]));
    }
}

/// Checks an inclusion proof (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *root
}

/// Checks a consistency proof between two tree sizes (RFC 9162 section 2.1.4.2).
pub fn verify_consistency(old_size: u64, new_size: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if old_size.is_power_of_two() {
        path.insert(0, *old_root);
    }
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut f_n, mut s_n) = (old_size - 1, new_size - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut f_r, mut s_r) = (*first, *first);
    for c in rest {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            f_r = node_hash(c, &f_r);
            s_r = node_hash(c, &s_r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            s_r = node_hash(&s_r, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && f_r == *old_root && s_r == *new_root
}

/// The root of a growing tree kept in O(log n) memory: the roots of the perfect subtrees that
/// make up the leaves so far (the "compact range" of the whole log).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Perfect-subtree roots, largest (leftmost) first.
    peaks: Vec<Hash>,
}

impl Frontier {
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut carry = leaf;
        // Each trailing one bit of the old size is a perfect subtree that merges with the new one.
        let mut merges = self.size.trailing_ones();
        while merges > 0 {
            let left = self.peaks.pop().expect("a peak per set bit");
            carry = node_hash(&left, &carry);
            merges -= 1;
        }
        self.peaks.push(carry);
        self.size += 1;
    }

    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(first) = peaks.next() else {
            return empty_root();
        };
        peaks.fold(*first, |right, left| node_hash(left, &right))
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)] // small, known test values
mod tests {
    use super::*;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(i, format!("entry {i}").as_bytes())).collect()
    }

    #[test]
    fn frontier_matches_the_recursive_root() {
        let all = leaves(70);
        let mut frontier = Frontier::default();
        assert_eq!(frontier.root(), empty_root());
        for (i, leaf) in all.iter().enumerate() {
            frontier.push(*leaf);
            assert_eq!(frontier.root(), root(&all[..=i]), "size {}", i + 1);
        }
    }

    #[test]
    fn inclusion_proofs_verify_and_reject_tampering() {
        for n in 1..=33u64 {
            let all = leaves(n);
            let r = root(&all);
            for i in 0..n {
                let proof = inclusion_proof(i, &all);
                assert!(verify_inclusion(i, n, &all[i as usize], &proof, &r), "n {n} i {i}");
                let wrong_leaf = leaf_hash(i, b"forged");
                assert!(!verify_inclusion(i, n, &wrong_leaf, &proof, &r));
                if n > 1 {
                    assert!(!verify_inclusion((i + 1) % n, n, &all[i as usize], &proof, &r) || all.len() == 1);
                }
            }
        }
    }

    #[test]
    fn consistency_proofs_verify_and_reject_rewrites() {
        for new in 1..=33u64 {
            let all = leaves(new);
            let new_root = root(&all);
            for old in 1..=new {
                let old_root = root(&all[..old as usize]);
                let proof = consistency_proof(old, &all);
                assert!(verify_consistency(old, new, &old_root, &new_root, &proof), "{old} -> {new}");
                let mut rewritten = all.clone();
                rewritten[0] = leaf_hash(0, b"rewritten");
                let forged_new = root(&rewritten);
                if old < new {
                    assert!(!verify_consistency(old, new, &old_root, &forged_new, &proof));
                }
            }
        }
    }

    #[test]
    fn known_answer_for_rfc6962_hashing() {
        // An empty tree's root is SHA-256 of nothing.
        assert_eq!(
            empty_root().iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
