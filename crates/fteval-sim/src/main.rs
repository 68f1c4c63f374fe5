//! fteval-sim: prints the simulation tables as Markdown (coverage of intervals, false verdicts,
//! false flags, p-values against exact enumeration) with the time each section took.

use std::time::Instant;

use fteval_sim::table::{self, Table};
use fteval_sim::{classification, compare, gap, generation, ner, pvalues, rank, SimConfig};

const SECTIONS: [&str; 7] = ["classification", "ner", "generation", "compare", "rank", "gap", "pvalues"];

const USAGE: &str =
    "usage: fteval-sim [--runs N] [--resamples B] [--quick] [--seed S] [--truth-draws D] [--only SECTION]...
sections: classification, ner, generation, compare, rank, gap, pvalues
defaults: 1000 runs x 1000 resamples (fewer runs for the large settings); --quick: 200 x 200";

struct Args {
    config: SimConfig,
    only: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut config = SimConfig::default();
    let (mut runs, mut resamples) = (None, None);
    let mut only = Vec::new();
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
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    config.runs = runs.unwrap_or(config.runs).max(1);
    config.resamples = resamples.unwrap_or(config.resamples);
    Ok(Args { config, only })
}

fn section(name: &str, config: &SimConfig) -> Vec<Table> {
    match name {
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
            vec![
                table::null_table(&rows),
                table::power_table(&rows),
                table::small_case_table(&compare::small_case(config)),
            ]
        }
        "rank" => vec![table::rank_table(&rank::run(config, &rank::MODELS))],
        "gap" => vec![table::gap_table(&gap::run(config, &gap::settings()))],
        "pvalues" => vec![table::pvalue_table(&pvalues::run(config, &pvalues::cases()))],
        _ => Vec::new(),
    }
}

/// The summary of a task's coverage rows, then the full table.
fn coverage_tables(task: &str, rows: &[fteval_sim::coverage::CoverageRow]) -> Vec<Table> {
    vec![
        table::coverage_summary(&format!("{task}: interval coverage, summary"), rows),
        table::coverage_table(&format!("{task}: interval coverage"), rows),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Args { config, only } = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("fteval-sim: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    println!(
        "## How honest are the numbers?\n\n{} runs x {} resamples per setting (fewer runs for the largest \
         settings), truth on {} draws, seed {}, 95% intervals, {} threads.\n",
        config.runs,
        config.resamples,
        config.truth_draws,
        config.seed,
        rayon::current_num_threads()
    );
    let start = Instant::now();
    for name in SECTIONS.iter().filter(|s| only.is_empty() || only.iter().any(|o| o == *s)) {
        let t0 = Instant::now();
        for t in section(name, &config) {
            println!("{}", t.to_markdown());
        }
        println!("_{name}: {:.1} s_\n", t0.elapsed().as_secs_f64());
    }
    println!("_total: {:.1} s_", start.elapsed().as_secs_f64());
}
