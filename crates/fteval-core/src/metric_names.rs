//! Metric keys as users write them: a name matches its key exactly, or else the one key equal to
//! it ignoring case, so `rougeL`, `rougeLsum` and `F1` all name a metric while reports keep the
//! key's own spelling (`rougeL` and `rougeLsum` differ only in more than case).

/// The key among `keys` that `name` names: the exact key, else the only key equal to `name`
/// ignoring ASCII case. None when no key (or more than one key, ignoring case) matches.
pub fn resolve_metric<'a>(keys: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    let name = name.trim();
    let mut folded = None;
    let mut n_folded = 0;
    for key in keys {
        if key == name {
            return Some(key);
        }
        if key.eq_ignore_ascii_case(name) && folded != Some(key) {
            folded = Some(key);
            n_folded += 1;
        }
    }
    if n_folded == 1 {
        folded
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_first_then_unique_case_insensitive() {
        let keys = ["exact_match", "rougeL", "rougeLsum", "f1", "F1x"];
        assert_eq!(resolve_metric(keys, "rougeL"), Some("rougeL"));
        assert_eq!(resolve_metric(keys, "rougeLsum"), Some("rougeLsum"));
        assert_eq!(resolve_metric(keys, "ROUGEL"), Some("rougeL"));
        assert_eq!(resolve_metric(keys, "rougelsum"), Some("rougeLsum"));
        assert_eq!(resolve_metric(keys, " F1 "), Some("f1"));
        assert_eq!(resolve_metric(keys, "bleu"), None);
        assert_eq!(resolve_metric(["Ab", "aB"], "ab"), None);
        assert_eq!(resolve_metric(["Ab", "aB"], "aB"), Some("aB"));
    }
}
