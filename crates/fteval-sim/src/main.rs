//! fteval-sim: prints the simulation tables as Markdown (coverage of intervals, false verdicts,
//! false flags, p-values against exact enumeration) with the time each section took.

use std::time::Instant;

use fteval_sim::table::{self, Table};
use fteval_sim::{classification, compare, gap, generation, ner, pvalues, rank, SimConfig};

const SECTIONS: [&str; 7] = ["classification", "ner", "generation", "compare", "rank", "gap", "pvalues"];

const USAGE: &str = "usage: fteval-sim [--runs N] [--resamples B] [--quick] [--seed S] [--truth-draws D] \
     [--only SECTION]... [--summary FILE]
sections: classification, ner, generation, compare, rank, gap, pvalues
defaults: 1000 runs x 1000 resamples (fewer runs for the large settings); --quick: 200 x 200
--summary FILE: also write the summary tables of the same run (the README's) to FILE";

struct Args {
    config: SimConfig,
    only: Vec<String>,
    summary: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut config = SimConfig::default();
    let (mut runs, mut resamples) = (None, None);
    let mut only = Vec::new();
    let mut summary = None;
    let mut it = args.iter();
    let number = |v: Option<&String>, flag: &str| -> Result<usize, String> {
        v.and_then(|s| s.parse().ok()).ok_or_else(|| format!("{flag} needs a number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = Some(number(it.next(), a)?),
            "--resamples" => resamples = Some(number(it.next(), a)?),
            "--seed" => config.seed = number(it.next(), a)? as u64,
            "--truth-draws" => config.truth_draws = number(it.next(), a)?,
            "--quick" => {
                config = SimConfig { seed: config.seed, truth_draws: config.truth_draws, ..SimConfig::quick() }
            }
            "--only" => {
                let s = it.next().ok_or("--only needs a section")?;
                if !SECTIONS.contains(&s.as_str()) {
                    return Err(format!("unknown section '{s}'"));
                }
                only.push(s.clone());
            }
            "--summary" => summary = Some(it.next().ok_or("--summary needs a file")?.clone()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    config.runs = runs.unwrap_or(config.runs).max(1);
    config.resamples = resamples.unwrap_or(config.resamples);
    Ok(Args { config, only, summary })
}

/// A section's tables: the summary ones (also in the README) and the detailed ones.
struct Section {
    summary: Vec<Table>,
    detail: Vec<Table>,
}

fn section(name: &str, config: &SimConfig) -> Section {
    let (summary, detail) = match name {
        "classification" => coverage_tables(
            "Classification",
            &classification::run(config, &classification::settings(), &classification::SIZES),
        ),
        "ner" => coverage_tables("NER", &ner::run(config, &ner::settings(), &ner::SIZES)),
        "generation" => {
            coverage_tables("Generation", &generation::run(config, &generation::settings(), &generation::SIZES))
        }
        "compare" => {
            let rows = compare::run(config, &compare::settings(), &compare::SIZES);
            let small = table::small_case_table(&compare::small_case(config));
            (vec![table::null_table(&rows), small], vec![table::power_table(&rows)])
        }
        "rank" => (vec![table::rank_table(&rank::run(config, &rank::MODELS))], Vec::new()),
        "gap" => (vec![table::gap_table(&gap::run(config, &gap::settings()))], Vec::new()),
        "pvalues" => (vec![table::pvalue_table(&pvalues::run(config, &pvalues::cases()))], Vec::new()),
        _ => (Vec::new(), Vec::new()),
    };
    Section { summary, detail }
}

/// The summary of a task's coverage rows, and the full table.
fn coverage_tables(task: &str, rows: &[fteval_sim::coverage::CoverageRow]) -> (Vec<Table>, Vec<Table>) {
    (
        vec![table::coverage_summary(&format!("{task}: interval coverage, summary"), rows)],
        vec![table::coverage_table(&format!("{task}: interval coverage"), rows)],
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Args { config, only, summary: summary_path } = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("fteval-sim: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    let header = format!(
        "{} runs x {} resamples per setting (fewer runs for the largest settings), truth on {} draws, seed {}, \
         95% intervals, {} threads.\n",
        config.runs,
        config.resamples,
        config.truth_draws,
        config.seed,
        rayon::current_num_threads()
    );
    println!("## How honest are the numbers?\n\n{header}");
    let mut summary = format!("{header}\n");
    let start = Instant::now();
    for name in SECTIONS.iter().filter(|s| only.is_empty() || only.iter().any(|o| o == *s)) {
        let t0 = Instant::now();
        let Section { summary: head, detail } = section(name, &config);
        let timing = format!("_{name}: {:.1} s_\n", t0.elapsed().as_secs_f64());
        for t in head.iter().chain(&detail) {
            println!("{}", t.to_markdown());
        }
        println!("{timing}");
        for t in &head {
            summary.push_str(&format!("{}\n", t.to_markdown_at(4)));
        }
        summary.push_str(&format!("{timing}\n"));
    }
    let total = format!("_total: {:.1} s_", start.elapsed().as_secs_f64());
    println!("{total}");
    if let Some(path) = summary_path {
        summary.push_str(&total);
        summary.push('\n');
        if let Err(e) = std::fs::write(&path, summary) {
            eprintln!("fteval-sim: cannot write the summary to {path}: {e}");
            std::process::exit(2);
        }
    }
}
