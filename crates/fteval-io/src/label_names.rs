//! `--label-names A,B,C`: integer labels read as names (label 0 is A, 1 is B, …), as a model's
//! `id2label` maps them, so that integer gold labels meet score columns named after the
//! classes (`prob_angry` … next to labels 0–6) and reports show names.

use fteval_core::labels::canonical_label;

use crate::error::{InputError, Result};
use crate::predictions::LabelColumn;

/// The name of `label` under `names`: the name at its index when it is an integer index, the
/// label itself when it already is one of the names, None otherwise.
pub fn named(label: &str, names: &[String]) -> Option<String> {
    if names.iter().any(|n| n == label) {
        return Some(label.to_string());
    }
    label.parse::<usize>().ok().and_then(|i| names.get(i)).cloned()
}

/// `names` in canonical spelling; an empty or repeated name is a usage error.
pub fn parse_names(file: &str, names: &[String]) -> Result<Vec<String>> {
    let canon: Vec<String> = names.iter().map(|n| canonical_label(n).into_owned()).collect();
    for (i, n) in canon.iter().enumerate() {
        if n.is_empty() || canon[..i].contains(n) {
            return Err(InputError::new(
                file,
                format!("--label-names: name {} ('{n}') is empty or repeated", i + 1),
                "give one distinct name per integer label, in label order: --label-names angry,disgust,fear",
            ));
        }
    }
    Ok(canon)
}

/// Renames the labels of `col` by `names`; a label that is neither an index into `names` nor
/// one of them is an error naming the column.
pub fn name_column(col: &mut LabelColumn, names: &[String], file: &str) -> Result<()> {
    for label in col.dict.iter_mut() {
        *label = named(label, names).ok_or_else(|| {
            InputError::new(
                file,
                format!(
                    "--label-names gives {} names (labels 0–{}), but column '{}' holds the label '{label}'",
                    names.len(),
                    names.len().saturating_sub(1),
                    col.column
                ),
                "give one name per integer label, in label order (label 0 first), covering every label in the file",
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predictions::LabelValues;

    #[test]
    fn integer_labels_take_the_names_in_order() {
        let names = parse_names("f", &["angry".into(), "calm".into()]).unwrap();
        let mut col = LabelColumn::new("label");
        let codes = ["1", "0", "calm"].iter().map(|l| col.intern(l)).collect();
        col.values = LabelValues::Single(codes);
        name_column(&mut col, &names, "f").unwrap();
        assert_eq!((0..3).map(|i| col.display(i).unwrap()).collect::<Vec<_>>(), ["calm", "angry", "calm"]);
        let mut bad = LabelColumn::new("pred");
        bad.intern("2");
        let e = name_column(&mut bad, &names, "f").unwrap_err();
        assert!(e.message.contains("'pred'") && e.message.contains("'2'"), "{}", e.message);
        assert!(parse_names("f", &["a".into(), "a".into()]).is_err());
    }
}
