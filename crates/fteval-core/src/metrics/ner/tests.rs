use super::*;

fn lists(s: &[&str]) -> Vec<Vec<String>> {
    s.iter().map(|x| x.split_whitespace().map(str::to_string).collect()).collect()
}

fn entities(tags: &str, options: NerOptions) -> Vec<(String, u32, u32)> {
    let g = lists(&[tags]);
    let seqs = NerSequences::from_lists(&g, &g).unwrap();
    let stats = evaluate_ner(&seqs, &options).unwrap();
    stats.gold_entities(0).iter().map(|e| (stats.types[e.type_id as usize].clone(), e.start, e.end)).collect()
}

fn ents(v: &[(&str, u32, u32)]) -> Vec<(String, u32, u32)> {
    v.iter().map(|(t, a, b)| (t.to_string(), *a, *b)).collect()
}

const DEFAULT: NerOptions = NerOptions { mode: NerMode::Default, suffix: false };

fn strict(scheme: Scheme) -> NerOptions {
    NerOptions { mode: NerMode::Strict(scheme), suffix: false }
}

#[test]
fn default_mode_entities_as_seqeval_docstring() {
    // get_entities(['B-PER', 'I-PER', 'O', 'B-LOC']) == [('PER', 0, 1), ('LOC', 3, 3)]
    assert_eq!(entities("B-PER I-PER O B-LOC", DEFAULT), ents(&[("PER", 0, 2), ("LOC", 3, 4)]));
    // I- without B- starts an entity; a type switch ends one.
    assert_eq!(entities("I-PER I-PER I-LOC", DEFAULT), ents(&[("PER", 0, 2), ("LOC", 2, 3)]));
    // E- and S- are understood in default mode.
    assert_eq!(entities("B-PER E-PER S-LOC", DEFAULT), ents(&[("PER", 0, 2), ("LOC", 2, 3)]));
    // A tag without a prefix: first character as prefix, the rest as type.
    assert_eq!(entities("PER PER O", DEFAULT), ents(&[("ER", 0, 2)]));
}

#[test]
fn default_scores_as_seqeval_docstring() {
    let t = lists(&["O O B-MISC I-MISC B-MISC O O", "B-PER I-PER O"]);
    let p = lists(&["O O B-MISC I-MISC B-MISC I-MISC O", "B-PER I-PER O"]);
    let (types, s) = ner_scores(&t, &p, &DEFAULT).unwrap();
    assert_eq!(types, vec!["MISC", "PER"]);
    assert!((s.f1 - 2.0 / 3.0).abs() < 1e-12);
    assert!((s.f1_macro.unwrap() - 0.75).abs() < 1e-12);
    assert!((s.f1_weighted - 2.0 / 3.0).abs() < 1e-12);
    let t = lists(&["O O O B-MISC I-MISC I-MISC O", "B-PER I-PER O"]);
    let p = lists(&["O O B-MISC I-MISC I-MISC I-MISC O", "B-PER I-PER O"]);
    let (_, s) = ner_scores(&t, &p, &DEFAULT).unwrap();
    assert_eq!((s.precision, s.recall, s.f1), (0.5, 0.5, 0.5));
    assert!((s.token_accuracy.unwrap() - 0.8).abs() < 1e-12);
}

#[test]
fn strict_iob2_drops_invalid_chunks() {
    assert_eq!(entities("B-PER I-PER O B-LOC", strict(Scheme::Iob2)), ents(&[("PER", 0, 2), ("LOC", 3, 4)]));
    assert_eq!(entities("I-PER I-PER O", strict(Scheme::Iob2)), ents(&[]));
    assert_eq!(entities("B-PER I-LOC", strict(Scheme::Iob2)), ents(&[("PER", 0, 1)]));
    assert_eq!(entities("B-PER I-PER", strict(Scheme::Iobes)), ents(&[]));
    assert_eq!(entities("B-PER E-PER S-LOC", strict(Scheme::Iobes)), ents(&[("PER", 0, 2), ("LOC", 2, 3)]));
}

#[test]
fn strict_refuses_prefixes_outside_the_scheme() {
    let g = lists(&["B-PER E-PER"]);
    let seqs = NerSequences::from_lists(&g, &g).unwrap();
    let err = evaluate_ner(&seqs, &strict(Scheme::Iob2)).unwrap_err();
    assert!(matches!(err, NerError::InvalidTag { ref tag, token: 1, .. } if tag == "E-PER"), "{err}");
    let g = lists(&["X O"]);
    let seqs = NerSequences::from_lists(&g, &g).unwrap();
    assert!(evaluate_ner(&seqs, &strict(Scheme::Iob2)).is_err());
}

#[test]
fn no_entities_macro_is_none() {
    let t = lists(&["O O"]);
    let (types, s) = ner_scores(&t, &t, &DEFAULT).unwrap();
    assert!(types.is_empty());
    assert_eq!(s.f1_macro, None);
    assert_eq!((s.precision, s.recall, s.f1, s.f1_weighted), (0.0, 0.0, 0.0, 0.0));
    assert_eq!(s.token_accuracy, Some(1.0));
}

#[test]
fn resample_sums_sentences() {
    let t = lists(&["B-PER I-PER O", "B-LOC O", "O B-ORG"]);
    let p = lists(&["B-PER O O", "B-LOC O", "B-ORG O"]);
    let seqs = NerSequences::from_lists(&t, &p).unwrap();
    let stats = evaluate_ner(&seqs, &DEFAULT).unwrap();
    assert_eq!(stats.resample(&[1, 1, 1]), stats.totals());
    // Sentence 1 twice and sentence 2 once, as seqeval on that resample.
    let r = stats.resample(&[0, 2, 1]).scores();
    let t2 = lists(&["B-LOC O", "B-LOC O", "O B-ORG"]);
    let p2 = lists(&["B-LOC O", "B-LOC O", "B-ORG O"]);
    let (_, direct) = ner_scores(&t2, &p2, &DEFAULT).unwrap();
    assert_eq!(r.f1, direct.f1);
    assert_eq!(r.f1_macro, direct.f1_macro);
    assert_eq!(stats.sentence_errors(0), (0, 1, 1));
    assert_eq!(stats.sentence_errors(2), (0, 1, 1));
}

#[test]
fn stale_chunk_start_across_sentences() {
    // seqeval flattens sentences with an 'O' between them; a bare tag then a typed tag ends a
    // '_' chunk from the last start, here in the previous sentence.
    let g = lists(&["B-PER O", "X I-PER"]);
    let seqs = NerSequences::from_lists(&g, &g).unwrap();
    let stats = evaluate_ner(&seqs, &DEFAULT).unwrap();
    let e: Vec<_> =
        stats.gold_entities(1).iter().map(|e| (stats.types[e.type_id as usize].as_str(), e.start, e.end)).collect();
    assert_eq!(e, vec![("_", 0, 3), ("PER", 3, 4)]);
}

#[test]
fn changed_sentences_between_two_models() {
    let gold = lists(&["B-PER I-PER O", "B-LOC O", "O B-ORG"]);
    let base = lists(&["B-PER I-PER O", "B-ORG O", "O B-ORG"]);
    let cand = lists(&["B-PER O O", "B-LOC O", "O B-ORG"]);
    let eval = |p: &[Vec<String>]| evaluate_ner(&NerSequences::from_lists(&gold, p).unwrap(), &DEFAULT).unwrap();
    let changes = changed_sentences(&eval(&base), &eval(&cand));
    assert_eq!(changes.len(), 2);
    assert_eq!((changes[0].sentence, changes[0].baseline, changes[0].candidate), (0, (1, 0, 0), (0, 1, 1)));
    assert_eq!(changes[0].error_delta(), 2);
    assert_eq!((changes[1].sentence, changes[1].error_delta()), (1, -2));
}
