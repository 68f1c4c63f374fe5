//! States: any batching, merged in any order, equals one shot — values, intervals and checks.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::*;
use crate::data::{ClassificationInput, Scores, Task};
use crate::evaluate::evaluate_classification;
use crate::stats::bootstrap::BootstrapConfig;

const LABELS: [&str; 4] = ["cat", "dog", "eel", "fox"];

/// A batch over its own sorted label list, as the readers prepare one.
fn batch(rows: &[(u32, u32, f64)], k: usize, scores: u8) -> ClassificationInput {
    let mut used: Vec<u32> = rows.iter().flat_map(|r| [r.0, r.1]).collect();
    if scores == 2 {
        used.extend(0..k as u32); // per-class scores name every class
    }
    used.sort_unstable();
    used.dedup();
    let labels: Vec<String> = used.iter().map(|&c| LABELS[c as usize].to_string()).collect();
    let code = |c: u32| used.iter().position(|&u| u == c).unwrap() as u32;
    let scores = match scores {
        0 => None,
        1 => Some(Scores::Positive(rows.iter().map(|r| r.2).collect())),
        _ => Some(Scores::PerClass(
            rows.iter()
                .flat_map(|r| {
                    let mut v: Vec<f64> =
                        (0..k).map(|j| if j as u32 == r.1 { r.2 } else { (1.0 - r.2) / (k - 1) as f64 }).collect();
                    let s: f64 = v.iter().sum();
                    v.iter_mut().for_each(|x| *x /= s);
                    v
                })
                .collect(),
        )),
    };
    ClassificationInput {
        task: if k == 2 { Task::Binary } else { Task::Multiclass },
        labels,
        positive: None,
        gold: rows.iter().map(|r| code(r.0)).collect(),
        pred: rows.iter().map(|r| code(r.1)).collect(),
        scores,
        model_classes: None,
    }
}

fn options(k: usize) -> ClassificationOptions {
    if k == 2 {
        ClassificationOptions { task: Some(Task::Binary), positive: Some("dog".into()) }
    } else {
        ClassificationOptions { task: None, positive: None }
    }
}

fn rows_strategy() -> impl Strategy<Value = (usize, u8, Vec<(u32, u32, f64)>)> {
    (2usize..=4, 0u8..=2).prop_flat_map(|(k, scores)| {
        let row = (0..k as u32, 0..k as u32, prop_oneof![Just(0.25), Just(0.75), 0.01f64..0.99]);
        (Just(k), Just(scores), prop::collection::vec(row, 1..120))
    })
}

fn evaluate_in_batches(k: usize, scores: u8, rows: &[(u32, u32, f64)], cuts: &[usize], order: &[usize]) -> String {
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c % (rows.len() + 1)).collect();
    bounds.extend([0, rows.len()]);
    bounds.sort_unstable();
    let states: Vec<ClassificationState> = bounds
        .windows(2)
        .map(|w| {
            let mut s = ClassificationState::new(options(k));
            if w[1] > w[0] {
                s.update(&batch(&rows[w[0]..w[1]], k, scores)).unwrap();
            }
            // Through bytes, as another process would send it.
            ClassificationState::from_bytes(&s.to_bytes()).unwrap()
        })
        .collect();
    // Each state merged once, in the order `order` names them first, the rest after.
    let mut permutation: Vec<usize> = Vec::new();
    for i in order.iter().map(|o| o % states.len()).chain(0..states.len()) {
        if !permutation.contains(&i) {
            permutation.push(i);
        }
    }
    let mut once = ClassificationState::new(options(k));
    for i in permutation {
        once.merge(&states[i]).unwrap();
    }
    let config = BootstrapConfig { resamples: 200, level: 0.95, seed: 7 };
    format!("{:?}", once.finalize(&config))
}

proptest! {
    // A fixed seed: the same cases on every run (CI stays reproducible); new cases come from changing it.
    #![proptest_config(ProptestConfig { rng_seed: RngSeed::Fixed(17), ..ProptestConfig::with_cases(64) })]
    #[test]
    fn batches_merged_in_any_order_equal_one_shot(
        (k, scores, rows) in rows_strategy(),
        cuts in prop::collection::vec(0usize..200, 0..5),
        order in prop::collection::vec(0usize..8, 0..8),
    ) {
        let one_shot = {
            let mut s = ClassificationState::new(options(k));
            s.update(&batch(&rows, k, scores)).unwrap();
            let config = BootstrapConfig { resamples: 200, level: 0.95, seed: 7 };
            format!("{:?}", s.finalize(&config))
        };
        prop_assert_eq!(one_shot, evaluate_in_batches(k, scores, &rows, &cuts, &order));
    }
}

/// The state's point values are those of the rows evaluated as given (only the row order,
/// which the bootstrap's draws see, differs).
#[test]
fn state_values_equal_the_direct_evaluation() {
    let rows: Vec<(u32, u32, f64)> =
        (0..300u32).map(|i| (i % 3, (i * 7 + i / 5) % 3, ((i * 37) % 100) as f64 / 100.0)).collect();
    let input = batch(&rows, 3, 2);
    let direct = evaluate_classification(&input, &BootstrapConfig::default());
    let state = ClassificationState::of_input(input.clone()).unwrap().finalize(&BootstrapConfig::default()).unwrap();
    assert_eq!(direct.metrics.len(), state.metrics.len());
    for ((k1, a), (k2, b)) in direct.metrics.iter().zip(&state.metrics) {
        assert_eq!(k1, k2);
        match (a.value, b.value) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-12, "{k1}: {x} vs {y}"),
            (x, y) => assert_eq!(x.is_some(), y.is_some(), "{k1}"),
        }
    }
}

#[test]
fn bytes_of_other_kinds_and_versions_are_refused() {
    let mut s = ClassificationState::new(options(2));
    s.update(&batch(&[(0, 1, 0.3), (1, 1, 0.9)], 2, 1)).unwrap();
    let bytes = s.to_bytes();
    assert!(ClassificationState::from_bytes(&bytes).is_ok());
    let mut v2 = bytes.clone();
    v2[8] = 9;
    assert!(ClassificationState::from_bytes(&v2).unwrap_err().to_string().contains("format version 9"));
    let cut = ClassificationState::from_bytes(&bytes[..bytes.len() - 3]).unwrap_err().to_string();
    assert!(cut.contains("cannot hold") || cut.contains("truncated"), "{cut}");
    assert!(ClassificationState::from_bytes(b"hello").is_err());
    let mut huge = bytes[..11].to_vec();
    huge.extend_from_slice(&[1, 0]); // task binary, no positive
    huge.push(1); // no scores
    huge.push(0); // no model classes
    huge.extend_from_slice(&u64::MAX.to_le_bytes()); // labels: a count no bytes can hold
    assert!(ClassificationState::from_bytes(&huge).unwrap_err().to_string().contains("cannot hold"));
}

#[test]
fn states_of_other_options_or_scores_do_not_merge() {
    let mut a = ClassificationState::new(options(2));
    a.update(&batch(&[(0, 1, 0.3)], 2, 1)).unwrap();
    let mut b = ClassificationState::new(ClassificationOptions::default());
    b.update(&batch(&[(0, 1, 0.3)], 2, 1)).unwrap();
    assert!(matches!(a.merge(&b), Err(StateError::Mismatch(_))));
    let mut c = ClassificationState::new(options(2));
    c.update(&batch(&[(0, 1, 0.3)], 2, 0)).unwrap();
    assert!(a.merge(&c).unwrap_err().to_string().contains("same kind of scores"));
    assert_eq!(
        ClassificationState::new(options(2)).finalize(&BootstrapConfig::default()).unwrap_err(),
        StateError::Empty
    );
}

fn multilabel_rows() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    let set = prop::collection::vec(0u8..5, 0..4);
    prop::collection::vec((set.clone(), set), 1..80)
}

fn multilabel_state(rows: &[(Vec<u8>, Vec<u8>)]) -> MultilabelState {
    let names = ["ux", "bug", "perf", "docs", "10"];
    let mut s = MultilabelState::new();
    for (g, p) in rows {
        let g: Vec<&str> = g.iter().map(|&i| names[i as usize]).collect();
        let p: Vec<&str> = p.iter().map(|&i| names[i as usize]).collect();
        s.add(&g, &p);
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { rng_seed: RngSeed::Fixed(18), ..ProptestConfig::with_cases(48) })]
    #[test]
    fn multilabel_batches_merged_in_any_order_equal_one_shot(
        rows in multilabel_rows(),
        cut in 0usize..80,
        swap in any::<bool>(),
    ) {
        let config = BootstrapConfig { resamples: 200, level: 0.95, seed: 3 };
        let cut = cut % (rows.len() + 1);
        let one_shot = multilabel_state(&rows).finalize(&config);
        let (a, b) = (multilabel_state(&rows[..cut]), multilabel_state(&rows[cut..]));
        let b = MultilabelState::from_bytes(&b.to_bytes()).unwrap();
        let (mut first, second) = if swap { (b, a) } else { (a, b) };
        first.merge(&second);
        match one_shot {
            Ok(e) => prop_assert_eq!(format!("{e:?}"), format!("{:?}", first.finalize(&config).unwrap())),
            Err(e) => prop_assert_eq!(e, first.finalize(&config).unwrap_err()),
        }
    }
}

#[test]
fn multilabel_bytes_are_checked() {
    let s = multilabel_state(&[(vec![0, 1], vec![1])]);
    let bytes = s.to_bytes();
    assert!(MultilabelState::from_bytes(&bytes).is_ok());
    assert!(MultilabelState::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let e = ClassificationState::from_bytes(&bytes).unwrap_err().to_string();
    assert!(e.contains("a multilabel state, not a classification state"), "{e}");
}
