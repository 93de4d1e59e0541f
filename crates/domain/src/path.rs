//! The materialized path of the organization tree (DESIGN.md "Storage").
//!
//! A path is the concatenation of fixed-width segments, one per level, each [`SEG_WIDTH`] base-36
//! digits (`0-9a-z`), so that byte order equals tree order and a subtree is the half-open range
//! `[path, path + "~")`: every descendant starts with `path` followed only by `0-9a-z`, and `~`
//! sorts after all of those. Siblings never fall inside the range because segments are fixed width.

pub const SEG_WIDTH: usize = 4;
const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Largest sequence number one segment can hold (36^4 - 1 = 1,679,615 children per parent).
pub const MAX_SEQ: u32 = 36u32.pow(SEG_WIDTH as u32) - 1;

/// Encode a child sequence number as one segment.
pub fn segment(seq: u32) -> String {
    assert!(seq <= MAX_SEQ, "path segment overflow");
    let mut buf = [b'0'; SEG_WIDTH];
    let mut n = seq;
    for i in (0..SEG_WIDTH).rev() {
        buf[i] = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(buf.to_vec()).expect("ascii")
}

/// Decode one segment back to its sequence number.
pub fn parse_segment(seg: &str) -> Option<u32> {
    if seg.len() != SEG_WIDTH {
        return None;
    }
    let mut n: u32 = 0;
    for b in seg.bytes() {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            _ => return None,
        } as u32;
        n = n * 36 + d;
    }
    Some(n)
}

/// The exclusive upper bound of the subtree rooted at `path`.
pub fn subtree_end(path: &str) -> String {
    format!("{path}~")
}

/// Depth of a path: the root is depth 1.
pub fn depth(path: &str) -> usize {
    path.len() / SEG_WIDTH
}

/// The path of every ancestor, root first, not including `path` itself.
pub fn ancestors(path: &str) -> Vec<&str> {
    (1..depth(path)).map(|d| &path[..d * SEG_WIDTH]).collect()
}

/// The parent path, or `None` for a root.
pub fn parent(path: &str) -> Option<&str> {
    if path.len() > SEG_WIDTH {
        Some(&path[..path.len() - SEG_WIDTH])
    } else {
        None
    }
}

/// Is `path` inside the subtree rooted at `root` (inclusive)?
pub fn is_within(path: &str, root: &str) -> bool {
    path.starts_with(root) && (path.len() - root.len()).is_multiple_of(SEG_WIDTH)
}

/// Is `path` a well-formed path?
pub fn is_valid(path: &str) -> bool {
    !path.is_empty()
        && path.len().is_multiple_of(SEG_WIDTH)
        && path.as_bytes().chunks(SEG_WIDTH).all(|c| std::str::from_utf8(c).ok().and_then(parse_segment).is_some())
}

/// Rewrite a descendant's path when the subtree at `old_root` moves to `new_root`.
pub fn rebase(path: &str, old_root: &str, new_root: &str) -> String {
    debug_assert!(is_within(path, old_root));
    format!("{new_root}{}", &path[old_root.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn segments_round_trip_and_sort() {
        assert_eq!(segment(0), "0000");
        assert_eq!(segment(1), "0001");
        assert_eq!(segment(35), "000z");
        assert_eq!(segment(36), "0010");
        assert_eq!(segment(MAX_SEQ), "zzzz");
        for n in [0, 1, 35, 36, 1295, 1296, 99_999, MAX_SEQ] {
            assert_eq!(parse_segment(&segment(n)), Some(n));
        }
        assert_eq!(parse_segment("00A0"), None);
        assert_eq!(parse_segment("000"), None);
    }

    #[test]
    fn subtree_range_excludes_siblings() {
        let a = "00010002";
        let sib = "00010003";
        let child = "000100020005";
        let end = subtree_end(a);
        assert!(child > a && child.as_bytes() < end.as_bytes());
        assert!(sib.as_bytes() >= end.as_bytes());
        assert_eq!(ancestors(child), vec!["0001", "00010002"]);
        assert_eq!(parent(child), Some("00010002"));
        assert_eq!(parent("0001"), None);
        assert!(is_within(child, a) && is_within(a, a) && !is_within(sib, a));
    }

    proptest! {
        #[test]
        fn byte_order_is_numeric_order(a in 0..=MAX_SEQ, b in 0..=MAX_SEQ) {
            prop_assert_eq!(segment(a).cmp(&segment(b)), a.cmp(&b));
        }

        #[test]
        fn descendants_fall_inside_the_range(prefix in proptest::collection::vec(0..=MAX_SEQ, 1..5),
                                             rest in proptest::collection::vec(0..=MAX_SEQ, 0..4),
                                             other in 0..=MAX_SEQ) {
            let root: String = prefix.iter().map(|s| segment(*s)).collect();
            let desc: String = root.clone() + &rest.iter().map(|s| segment(*s)).collect::<String>();
            let end = subtree_end(&root);
            prop_assert!(desc.as_str() >= root.as_str() && desc.as_str() < end.as_str());
            // a sibling (same parent, different last segment) never falls inside
            let last = *prefix.last().unwrap();
            if other != last {
                let sib = format!("{}{}", &root[..root.len() - SEG_WIDTH], segment(other));
                prop_assert!(!(sib.as_str() >= root.as_str() && sib.as_str() < end.as_str()));
            }
        }
    }
}
