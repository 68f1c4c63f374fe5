//! The data of `fteval demo`: a card-transaction fraud detector fine-tuned on transaction
//! descriptions, with everything a careful reviewer should catch planted in it.
//!
//! - `train.csv` / `test.csv`: synthetic transaction descriptions, about 5% fraud;
//! - leakage in the test split: exact copies of training rows (a few with the other label),
//!   near duplicates, and rows sharing a long span with a training row;
//! - `baseline.csv`: the model before fine-tuning, ~95% accurate yet catching only ~30% of
//!   fraud (the accuracy paradox), with overconfident scores;
//! - `candidate.csv`: the fine-tuned model, catching ~75% of fraud with a clearly higher ROC AUC;
//! - `candidate_train.csv`: the candidate on its own training rows, which it has memorised;
//! - `trainer_state.json`: a Hugging Face Trainer log where eval loss turns up after epoch 3;
//! - `fteval.toml` and `README.md`.
//!
//! Everything comes from fixed seeds of [`Rng`] and integer or IEEE-exact arithmetic (no
//! platform `ln`/`exp`), so the bytes are the same on every run and machine.

use fteval_core::stats::rng::Rng;
use serde_json::{json, Value};

/// The positive label.
pub const POSITIVE: &str = "fraud";
/// The negative label.
pub const NEGATIVE: &str = "legit";

pub const TRAIN_ROWS: usize = 6000;
pub const TEST_ROWS: usize = 2000;
/// Fraud rows in each split (5%).
pub const TRAIN_FRAUD: usize = 300;
pub const TEST_FRAUD: usize = 100;

/// Test rows that are copies of a training row after case or punctuation changes.
pub const EXACT_COPIES: usize = 40;
/// Of the exact copies, those whose test label differs from the training copy's.
pub const LABEL_CONFLICTS: usize = 5;
/// Test rows that are a training row with one or two words changed.
pub const NEAR_DUPLICATES: usize = 20;
/// Test rows sharing a span of at least [`SHARED_SPAN_WORDS`] words with a training row.
pub const SHARED_SPANS: usize = 10;
pub const SHARED_SPAN_WORDS: usize = 15;

/// Training: 8 epochs of batches of 32.
pub const EPOCHS: u64 = 8;
pub const BATCH_SIZE: u64 = 32;
pub const STEPS_PER_EPOCH: u64 = (TRAIN_ROWS as u64).div_ceil(BATCH_SIZE);
pub const LOGGING_STEPS: u64 = 50;
/// The epoch whose checkpoint has the lowest eval loss.
pub const BEST_EPOCH: u64 = 3;

const SEED: u64 = 0x00F7_EA1D_E302;

/// The files of the project, in the order they are written.
pub const FILES: [&str; 8] = [
    "README.md",
    "fteval.toml",
    "train.csv",
    "test.csv",
    "baseline.csv",
    "candidate.csv",
    "candidate_train.csv",
    "trainer_state.json",
];

/// One labelled transaction description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub text: String,
    pub fraud: bool,
}

/// How a test row leaks from the training split (index into the training rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leak {
    None,
    /// A copy after case or punctuation changes; `conflict` when the labels differ.
    Exact {
        train: usize,
        conflict: bool,
    },
    /// The training row with its last one or two words changed.
    Near {
        train: usize,
    },
    /// Shares a span of at least [`SHARED_SPAN_WORDS`] words with the training row.
    Span {
        train: usize,
    },
}

/// How obvious a row's fraud is: the baseline only catches the obvious kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Legit,
    /// Legitimate but odd (a traveller, a big one-off purchase): looks like fraud.
    Unusual,
    /// Many cues in the text; caught before fine-tuning.
    Obvious,
    /// Few cues; what fine-tuning must learn.
    Subtle,
    /// Almost no cues; missed by both models.
    Hidden,
}

impl Kind {
    fn fraud(self) -> bool {
        !matches!(self, Kind::Legit | Kind::Unusual)
    }

    /// Chance that a clause shows its fraud cue.
    fn cue_rate(self) -> f64 {
        match self {
            Kind::Legit => 0.06,
            Kind::Unusual => 0.45,
            Kind::Obvious => 0.7,
            Kind::Subtle => 0.3,
            Kind::Hidden => 0.1,
        }
    }
}

/// The whole generated project, before it is rendered to files.
#[derive(Clone, Debug)]
pub struct Project {
    pub train: Vec<Row>,
    pub test: Vec<Row>,
    /// One per test row.
    /// What each test row was planted as (the tests count them).
    #[allow(dead_code)]
    pub test_leaks: Vec<Leak>,
    /// Probability of fraud in ten-thousandths (0..=10000), one per test row.
    pub baseline: Vec<u32>,
    pub candidate: Vec<u32>,
    /// The candidate's scores on the training rows.
    pub candidate_train: Vec<u32>,
}

impl Project {
    /// The demo project: the same on every call.
    pub fn generate() -> Project {
        generate()
    }

    pub fn train_csv(&self) -> String {
        split_csv(&self.train)
    }

    pub fn test_csv(&self) -> String {
        split_csv(&self.test)
    }

    pub fn baseline_csv(&self) -> String {
        predictions_csv(&self.test, &self.baseline)
    }

    pub fn candidate_csv(&self) -> String {
        predictions_csv(&self.test, &self.candidate)
    }

    pub fn candidate_train_csv(&self) -> String {
        predictions_csv(&self.train, &self.candidate_train)
    }

    /// Every file as (name, content), in the order of [`FILES`].
    pub fn files(&self) -> Vec<(&'static str, String)> {
        vec![
            (FILES[0], readme_md()),
            (FILES[1], fteval_toml()),
            (FILES[2], self.train_csv()),
            (FILES[3], self.test_csv()),
            (FILES[4], self.baseline_csv()),
            (FILES[5], self.candidate_csv()),
            (FILES[6], self.candidate_train_csv()),
            (FILES[7], trainer_state_json()),
        ]
    }
}

/// Every file of the demo project as (name, content).
pub fn project_files() -> Vec<(&'static str, String)> {
    Project::generate().files()
}

// ---------------------------------------------------------------------------------------------
// Deterministic numerics

/// `e^x` from IEEE-exact operations only (range reduction and a Taylor series), so that
/// scores do not depend on the platform's libm.
fn exp(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    let x = x.clamp(-700.0, 700.0);
    let n = (x / LN2).round();
    let r = x - n * LN2;
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..=18 {
        term *= r / k as f64;
        sum += term;
    }
    sum * f64::from_bits(((n as i64 + 1023) as u64) << 52)
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + exp(-x))
}

/// A standard normal draw, approximately (Irwin–Hall: twelve uniforms), without `ln`/`cos`.
fn normal(rng: &mut Rng) -> f64 {
    (0..12).map(|_| rng.uniform()).sum::<f64>() - 6.0
}

/// A probability in ten-thousandths.
fn to_score(p: f64) -> u32 {
    (p * 10_000.0).round().clamp(0.0, 10_000.0) as u32
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.uniform() < p
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// `count` distinct positions out of `n`, in increasing order.
fn positions(rng: &mut Rng, n: usize, count: usize) -> Vec<bool> {
    let mut idx: Vec<usize> = (0..n).collect();
    shuffle(rng, &mut idx);
    let mut mark = vec![false; n];
    for &i in &idx[..count] {
        mark[i] = true;
    }
    mark
}

fn int_in(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    lo + rng.below(hi - lo + 1)
}

/// An amount with two decimals between `lo` and `hi` (whole units).
fn amount(rng: &mut Rng, lo: u64, hi: u64) -> String {
    let cents = int_in(rng, lo * 100, hi * 100);
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn code(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char).collect()
}

// ---------------------------------------------------------------------------------------------
// Transaction descriptions

struct Category {
    name: &'static str,
    suffixes: &'static [&'static str],
    lo: u64,
    hi: u64,
}

const CATEGORIES: &[Category] = &[
    Category { name: "grocery", suffixes: &["Grocers", "Foods", "Fresh Market"], lo: 4, hi: 160 },
    Category { name: "restaurant", suffixes: &["Cafe", "Bistro", "Kitchen", "Grill"], lo: 6, hi: 120 },
    Category { name: "fuel", suffixes: &["Fuel", "Petrol", "Service Station"], lo: 15, hi: 110 },
    Category { name: "pharmacy", suffixes: &["Pharmacy", "Chemists"], lo: 3, hi: 90 },
    Category { name: "clothing", suffixes: &["Apparel", "Outfitters", "Boutique"], lo: 12, hi: 260 },
    Category { name: "travel", suffixes: &["Travel", "Airways", "Tours"], lo: 60, hi: 1400 },
    Category { name: "hotel", suffixes: &["Hotel", "Inn", "Suites"], lo: 70, hi: 900 },
    Category { name: "streaming", suffixes: &["Media", "Streaming"], lo: 5, hi: 25 },
    Category { name: "utilities", suffixes: &["Energy", "Water Co", "Telecom"], lo: 20, hi: 240 },
    Category { name: "taxi", suffixes: &["Cabs", "Rides"], lo: 5, hi: 80 },
    Category { name: "home improvement", suffixes: &["Hardware", "Builders"], lo: 8, hi: 600 },
    Category { name: "bookstore", suffixes: &["Books", "Readers"], lo: 6, hi: 80 },
];

/// Categories fraud favours (resaleable goods, hard-to-trace value).
const RISKY_CATEGORIES: &[Category] = &[
    Category { name: "electronics", suffixes: &["Electronics", "Digital", "Tech Store"], lo: 150, hi: 2400 },
    Category { name: "gift cards", suffixes: &["Gift Cards", "Vouchers"], lo: 50, hi: 1000 },
    Category { name: "online marketplace", suffixes: &["Marketplace", "Online Shop", "Deals"], lo: 40, hi: 1500 },
    Category { name: "jewellery", suffixes: &["Jewellers", "Gold"], lo: 120, hi: 3500 },
    Category { name: "crypto exchange", suffixes: &["Exchange", "Coin"], lo: 100, hi: 3000 },
];

const NAME_FIRST: &[&str] = &[
    "Blue", "Golden", "Silver", "Northern", "Urban", "Green", "Red", "Royal", "Sunny", "Quick", "Bright", "Old",
    "Little", "Grand", "Happy", "Coastal", "Maple", "Cedar", "Iron", "Crystal", "Summit", "River", "Lakeside", "Metro",
    "Pioneer", "Liberty", "Eagle", "Falcon", "Orchid", "Willow", "Harvest", "Copper", "Atlas", "Nova", "Prime",
];
const NAME_SECOND: &[&str] = &[
    "Harbor", "Oak", "Pine", "Bridge", "Lantern", "Anchor", "Meadow", "Stone", "Garden", "Peak", "Valley", "Corner",
    "Street", "Square", "Mill", "Fox", "Owl", "Bay", "Field", "Crown", "Arrow", "Compass", "Beacon", "Grove",
];
const CITIES: &[&str] = &[
    "Lisbon",
    "Madrid",
    "Lyon",
    "Berlin",
    "Hamburg",
    "Munich",
    "Vienna",
    "Prague",
    "Warsaw",
    "Dublin",
    "Leeds",
    "Manchester",
    "Amsterdam",
    "Rotterdam",
    "Brussels",
    "Antwerp",
    "Copenhagen",
    "Oslo",
    "Stockholm",
    "Helsinki",
    "Milan",
    "Turin",
    "Naples",
    "Porto",
    "Seville",
    "Valencia",
    "Zurich",
    "Geneva",
    "Bristol",
    "Edinburgh",
];
const HOME_COUNTRIES: &[&str] = &[
    "Portugal",
    "Spain",
    "France",
    "Germany",
    "Austria",
    "Czechia",
    "Poland",
    "Ireland",
    "the UK",
    "the Netherlands",
    "Belgium",
    "Denmark",
    "Norway",
    "Sweden",
    "Finland",
    "Italy",
    "Switzerland",
];
const FAR_COUNTRIES: &[&str] = &[
    "Nigeria",
    "Vietnam",
    "Indonesia",
    "Brazil",
    "Russia",
    "Ukraine",
    "Philippines",
    "Malaysia",
    "Panama",
    "Romania",
    "Kazakhstan",
    "Belize",
    "Thailand",
    "Pakistan",
];
const MONTHS: &[&str] = &["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WALLETS: &[&str] = &["Apple Pay", "Google Pay", "Samsung Pay", "Garmin Pay", "Curve"];
const MAIL: &[&str] = &["disposable", "free webmail", "newly registered", "foreign"];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const CURRENCIES: &[&str] = &["EUR", "EUR", "EUR", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CZK"];
const PHONES: &[&str] = &[
    "Pixel 7",
    "Pixel 8",
    "iPhone 13",
    "iPhone 14",
    "iPhone 15",
    "Galaxy S22",
    "Galaxy S23",
    "Galaxy A54",
    "Moto G84",
    "Xperia 10",
    "OnePlus 11",
    "Nokia G42",
];
const BROWSERS: &[&str] = &["Firefox", "Chrome", "Safari", "Edge", "Opera", "Brave"];
const ITEMS: &[&str] = &[
    "groceries",
    "a dinner for two",
    "school supplies",
    "running shoes",
    "a winter coat",
    "garden tools",
    "a monthly pass",
    "paint and brushes",
    "a birthday present",
    "kitchen utensils",
    "printer ink",
    "bed linen",
];
const RISKY_ITEMS: &[&str] = &[
    "two flagship phones",
    "a gaming laptop",
    "three game consoles",
    "designer watches",
    "noise cancelling headphones",
    "a graphics card",
    "prepaid vouchers",
    "luxury handbags",
];

/// A random merchant in one of the categories (risky ones more likely for fraud).
fn merchant(rng: &mut Rng, kind: Kind) -> (String, &'static Category) {
    let risky_rate = match kind {
        Kind::Legit => 0.06,
        Kind::Unusual => 0.4,
        Kind::Obvious => 0.65,
        Kind::Subtle => 0.3,
        Kind::Hidden => 0.1,
    };
    let list = if chance(rng, risky_rate) { RISKY_CATEGORIES } else { CATEGORIES };
    let cat = &list[rng.below(list.len() as u64) as usize];
    let name = format!("{} {} {}", pick(rng, NAME_FIRST), pick(rng, NAME_SECOND), pick(rng, cat.suffixes));
    (name, cat)
}

fn opening(rng: &mut Rng, kind: Kind) -> String {
    let (name, cat) = merchant(rng, kind);
    let (lo, hi) = if kind.fraud() && chance(rng, 0.5) { (cat.hi / 2 + 1, cat.hi * 2) } else { (cat.lo, cat.hi) };
    let amt = amount(rng, lo, hi);
    let cur = pick(rng, CURRENCIES);
    let city = pick(rng, CITIES);
    match rng.below(5) {
        0 => format!("Card purchase of {amt} {cur} at {name}, {}, {city}.", cat.name),
        1 => format!("{amt} {cur} charged by {name} ({}) in {city}.", cat.name),
        2 => format!("Authorization request from {name} in {city} for {amt} {cur}, category {}.", cat.name),
        3 => format!("Payment to {name}, a {} merchant based in {city}: {amt} {cur}.", cat.name),
        _ => format!("Debit of {amt} {cur} by {} merchant {name} ({city}).", cat.name),
    }
}

/// The optional clauses; each shows a fraud cue with the row kind's cue rate.
fn clause(rng: &mut Rng, which: u64, kind: Kind) -> String {
    let cue = chance(rng, kind.cue_rate());
    // Every clause carries at least one wide-ranging value, so unrelated descriptions never
    // share a long run of words (which `fteval leakage` would rightly call contamination).
    match which {
        // Date and time.
        0 => {
            let (month, day) = (pick(rng, MONTHS), int_in(rng, 1, 28));
            let (h, m) = (if cue { int_in(rng, 1, 4) } else { int_in(rng, 7, 22) }, rng.below(60));
            match rng.below(3) {
                0 => format!("Placed {day} {month} at {h:02}:{m:02} local time."),
                1 => format!("Timestamp {month} {day}, {h:02}:{m:02}:{:02}.", rng.below(60)),
                _ => format!("Logged at {h:02}:{m:02} on {} {day} {month}.", pick(rng, WEEKDAYS)),
            }
        }
        // Channel.
        1 => {
            if cue {
                match rng.below(3) {
                    0 => format!("Card not present, online checkout session {}.", code(rng, 7)),
                    1 => format!("Card number keyed in manually at terminal T{}.", int_in(rng, 10_000, 99_999)),
                    _ => format!("Phone order taken by operator {} for {}.", int_in(rng, 100, 999), pick(rng, CITIES)),
                }
            } else {
                match rng.below(4) {
                    0 => format!("Chip and PIN at terminal T{}.", int_in(rng, 10_000, 99_999)),
                    1 => format!("Contactless tap at till {}, store {}.", int_in(rng, 1, 30), int_in(rng, 100, 999)),
                    2 => format!("{} wallet payment in store {}.", pick(rng, WALLETS), int_in(rng, 100, 9999)),
                    _ => format!("Recurring charge {} of 12 under contract {}.", int_in(rng, 1, 12), code(rng, 5)),
                }
            }
        }
        // Device.
        2 => {
            if cue {
                match rng.below(3) {
                    0 => format!("New device fingerprint {} on this account.", code(rng, 8)),
                    1 => format!("{} first seen {} minutes before purchase.", pick(rng, PHONES), int_in(rng, 1, 59)),
                    _ => format!("Emulator signature in {} {} session.", pick(rng, BROWSERS), int_in(rng, 90, 130)),
                }
            } else {
                match rng.below(3) {
                    0 => format!("Known {} used {} times before.", pick(rng, PHONES), int_in(rng, 3, 900)),
                    1 => format!(
                        "Usual {} {}.0.{} browser on a laptop.",
                        pick(rng, BROWSERS),
                        int_in(rng, 90, 130),
                        int_in(rng, 1000, 9999)
                    ),
                    _ => format!("Trusted {} registered {} days ago.", pick(rng, PHONES), int_in(rng, 40, 2000)),
                }
            }
        }
        // Network location.
        3 => {
            let ip = format!("{}.{}.{}.x", int_in(rng, 2, 223), rng.below(256), rng.below(256));
            if cue {
                match rng.below(3) {
                    0 => format!("IP {ip} geolocated to {}.", pick(rng, FAR_COUNTRIES)),
                    1 => format!("Foreign IP {ip} from {} behind a proxy.", pick(rng, FAR_COUNTRIES)),
                    _ => format!("VPN exit node {ip} in {}.", pick(rng, FAR_COUNTRIES)),
                }
            } else {
                match rng.below(2) {
                    0 => format!("IP {ip} in {}, as billing.", pick(rng, HOME_COUNTRIES)),
                    _ => format!("Home broadband {ip} near {}.", pick(rng, CITIES)),
                }
            }
        }
        // Attempts.
        4 => {
            if cue {
                match rng.below(3) {
                    0 => format!("{} declined attempts in {} seconds.", int_in(rng, 3, 19), int_in(rng, 20, 900)),
                    1 => format!(
                        "CVV failed {} times, approval code {}.",
                        int_in(rng, 2, 6),
                        int_in(rng, 100_000, 999_999)
                    ),
                    _ => format!("Velocity rule {}: {} cards tried in one session.", code(rng, 4), int_in(rng, 3, 12)),
                }
            } else {
                match rng.below(2) {
                    0 => format!("Approved first time, code {}.", int_in(rng, 100_000, 999_999)),
                    _ => format!("Single attempt, approval {}.", code(rng, 6)),
                }
            }
        }
        // Account history.
        5 => {
            if cue {
                match rng.below(2) {
                    0 => format!("Account {} opened {} days ago.", int_in(rng, 100_000, 999_999), int_in(rng, 1, 9)),
                    _ => {
                        format!(
                            "Email changed {} hours earlier to a {} address, user {}.",
                            int_in(rng, 1, 23),
                            pick(rng, MAIL),
                            code(rng, 5)
                        )
                    }
                }
            } else {
                match rng.below(3) {
                    0 => format!("Cardholder since {} {}.", pick(rng, MONTHS), int_in(rng, 1995, 2021)),
                    1 => format!(
                        "{} earlier purchases here since {} {}.",
                        int_in(rng, 2, 150),
                        pick(rng, MONTHS),
                        int_in(rng, 2010, 2023)
                    ),
                    _ => format!(
                        "Customer for {} years, {} orders, no disputes.",
                        int_in(rng, 2, 30),
                        int_in(rng, 2, 600)
                    ),
                }
            }
        }
        // Delivery.
        6 => {
            if cue {
                match rng.below(3) {
                    0 => format!("Shipping to forwarder {} in {}.", code(rng, 5), pick(rng, CITIES)),
                    1 => format!(
                        "Parcel locker {} in {}, not the billing address.",
                        int_in(rng, 100, 9999),
                        pick(rng, CITIES)
                    ),
                    _ => format!("Express delivery to a new address, order {}.", int_in(rng, 10_000, 99_999)),
                }
            } else {
                match rng.below(3) {
                    0 => format!("Shipped to billing address, tracking {}.", code(rng, 8)),
                    1 => format!("Collected in store {} in {}.", int_in(rng, 100, 999), pick(rng, CITIES)),
                    _ => format!(
                        "Standard delivery in {} days, order {}.",
                        int_in(rng, 2, 7),
                        int_in(rng, 10_000, 99_999)
                    ),
                }
            }
        }
        // Basket.
        7 => {
            if cue {
                match rng.below(2) {
                    0 => format!(
                        "Order of {} gift cards worth {} each, batch {}.",
                        int_in(rng, 2, 12),
                        int_in(rng, 2, 20) * 25,
                        code(rng, 4)
                    ),
                    _ => format!("Basket: {}, SKU {}.", pick(rng, RISKY_ITEMS), int_in(rng, 10_000, 99_999)),
                }
            } else {
                format!(
                    "Basket: {}, {} items, receipt {}.",
                    pick(rng, ITEMS),
                    int_in(rng, 1, 15),
                    int_in(rng, 1000, 9999)
                )
            }
        }
        // Authentication.
        _ => {
            if cue {
                match rng.below(2) {
                    0 => format!("3-D Secure skipped by merchant {}.", int_in(rng, 10_000, 99_999)),
                    _ => format!("Postcode check failed, {} given.", int_in(rng, 1000, 99_999)),
                }
            } else {
                match rng.below(3) {
                    0 => format!("3-D Secure passed in {} seconds, challenge {}.", int_in(rng, 4, 180), code(rng, 5)),
                    1 => format!("Postcode {} verified.", int_in(rng, 1000, 99_999)),
                    _ => format!(
                        "Biometric approval on {} at {}:{:02}.",
                        pick(rng, PHONES),
                        int_in(rng, 7, 22),
                        rng.below(60)
                    ),
                }
            }
        }
    }
}

/// The closing reference: every row ends with a random code (a near duplicate is a row logged
/// again under another reference).
fn closing(rng: &mut Rng) -> String {
    let card = int_in(rng, 1000, 9999);
    match rng.below(3) {
        0 => format!("Card ending {card}, ref {}", code(rng, 6)),
        1 => format!("Card **{card}; merchant reference {}", code(rng, 6)),
        _ => format!("PAN ending {card}, auth {}", code(rng, 6)),
    }
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// A transaction description of 20–40 words.
fn description(rng: &mut Rng, kind: Kind) -> String {
    loop {
        let mut kinds: Vec<u64> = (0..9).collect();
        shuffle(rng, &mut kinds);
        let n = int_in(rng, 3, 5) as usize;
        let mut parts = vec![opening(rng, kind)];
        parts.extend(kinds[..n].iter().map(|&k| clause(rng, k, kind)));
        parts.push(closing(rng));
        let text = parts.join(" ");
        if (20..=40).contains(&word_count(&text)) {
            return text;
        }
    }
}

fn kind_of(rng: &mut Rng, fraud: bool) -> Kind {
    let u = rng.uniform();
    if !fraud {
        if u < UNUSUAL_LEGIT {
            Kind::Unusual
        } else {
            Kind::Legit
        }
    } else if u < OBVIOUS_FRAUD {
        Kind::Obvious
    } else if u < OBVIOUS_FRAUD + HIDDEN_FRAUD {
        Kind::Hidden
    } else {
        Kind::Subtle
    }
}

/// Shares of the row kinds.
const UNUSUAL_LEGIT: f64 = 0.01;
const OBVIOUS_FRAUD: f64 = 0.3;
const HIDDEN_FRAUD: f64 = 0.2;

// ---------------------------------------------------------------------------------------------
// The splits, the leaks and the scores

/// The same text with only case or punctuation changed.
fn restyle(text: &str, style: u64) -> String {
    match style % 4 {
        0 => text.to_lowercase(),
        1 => text.to_uppercase(),
        2 => text.replace(", ", "; ").replace(". ", ", "),
        _ => text.replace(['(', ')', ','], "").replace(". ", " ").trim_end_matches('.').to_string(),
    }
}

/// The training text with its reference code (and sometimes the word before it) changed.
fn near_copy(rng: &mut Rng, text: &str) -> String {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    let n = words.len();
    words[n - 1] = code(rng, 6);
    // Two changed words keep the 5-shingle Jaccard at (n - 6) / (n - 2) >= 0.8 from 26 words.
    if n >= 26 && chance(rng, 0.5) {
        let alternatives = ["ref", "reference", "auth", "id"];
        let old = words[n - 2].to_lowercase();
        let new = alternatives.iter().find(|a| **a != old.trim_end_matches(':')).unwrap();
        words[n - 2] = new.to_string();
    }
    words.join(" ")
}

/// A fresh description's opening words followed by a long span of a training row.
fn span_copy(rng: &mut Rng, fresh: &str, train: &str) -> String {
    let words: Vec<&str> = train.split_whitespace().collect();
    let len = (SHARED_SPAN_WORDS + 2).min(words.len());
    let start = rng.below((words.len() - len) as u64 + 1) as usize;
    let head: Vec<&str> = fresh.split_whitespace().collect();
    let keep = head.len().min(36 - len).max(8);
    format!("{} {}", head[..keep].join(" "), words[start..start + len].join(" "))
}

/// A training row with label `fraud` not used yet.
fn source(rng: &mut Rng, train: &[Row], used: &mut [bool], fraud: bool) -> usize {
    loop {
        let i = rng.below(train.len() as u64) as usize;
        if !used[i] && train[i].fraud == fraud {
            used[i] = true;
            return i;
        }
    }
}

/// Per-row latent scores: the candidate shares most of the baseline's noise, so the two models'
/// errors are correlated as a real before/after pair's are.
struct Latent {
    baseline: f64,
    candidate: f64,
}

fn latent(rng: &mut Rng, kind: Kind) -> Latent {
    let (mb, mc) = match kind {
        Kind::Legit => (0.0, 0.0),
        Kind::Unusual => (2.6, 2.0),
        Kind::Obvious => (3.5, 3.7),
        Kind::Subtle => (1.1, 2.6),
        Kind::Hidden => (0.3, 0.6),
    };
    let shared = normal(rng);
    let (own_b, own_c) = (normal(rng), normal(rng));
    Latent { baseline: mb + 0.8 * shared + 0.6 * own_b, candidate: mc + 0.7 * shared + 0.5 * own_c }
}

/// The baseline: right about the obvious cases, overconfident everywhere.
fn baseline_score(x: f64) -> u32 {
    to_score(sigmoid(6.0 * (x - 2.5)))
}

/// The fine-tuned model: a gentler slope, roughly calibrated.
fn candidate_score(x: f64) -> u32 {
    to_score(sigmoid(4.0 * (x - 1.8)))
}

/// The fine-tuned model on the rows it was trained on: memorised.
fn candidate_train_score(rng: &mut Rng, fraud: bool) -> u32 {
    let x = if fraud { 4.9 } else { 0.0 } + normal(rng);
    to_score(sigmoid(4.0 * (x - 2.8)))
}

fn generate() -> Project {
    // Training split.
    let mut rng = Rng::new(SEED, 1);
    let train_fraud = positions(&mut rng, TRAIN_ROWS, TRAIN_FRAUD);
    let mut text_rng = Rng::new(SEED, 2);
    let mut score_rng = Rng::new(SEED, 3);
    let mut train = Vec::with_capacity(TRAIN_ROWS);
    let mut candidate_train = Vec::with_capacity(TRAIN_ROWS);
    for (i, &fraud) in train_fraud.iter().enumerate() {
        let kind = kind_of(&mut rng, fraud);
        train.push(Row { id: format!("tr-{:05}", i + 1), text: description(&mut text_rng, kind), fraud });
        candidate_train.push(candidate_train_score(&mut score_rng, fraud));
    }

    // Test split: labels first, then which rows leak and how.
    let mut rng = Rng::new(SEED, 4);
    let test_fraud = positions(&mut rng, TEST_ROWS, TEST_FRAUD);
    let leaks_total = EXACT_COPIES + NEAR_DUPLICATES + SHARED_SPANS;
    let mut order: Vec<usize> = (0..TEST_ROWS).collect();
    shuffle(&mut rng, &mut order);
    let mut plan = vec![0usize; TEST_ROWS];
    for (rank, &i) in order[..leaks_total].iter().enumerate() {
        plan[i] = rank + 1;
    }
    let mut used = vec![false; TRAIN_ROWS];
    let mut text_rng = Rng::new(SEED, 5);
    let mut score_rng = Rng::new(SEED, 6);
    let mut test = Vec::with_capacity(TEST_ROWS);
    let mut test_leaks = Vec::with_capacity(TEST_ROWS);
    let (mut baseline, mut candidate) = (Vec::with_capacity(TEST_ROWS), Vec::with_capacity(TEST_ROWS));
    for i in 0..TEST_ROWS {
        let fraud = test_fraud[i];
        let kind = kind_of(&mut rng, fraud);
        let fresh = description(&mut text_rng, kind);
        let rank = plan[i];
        let (text, leak) = if rank == 0 {
            (fresh, Leak::None)
        } else if rank <= EXACT_COPIES {
            let conflict = rank <= LABEL_CONFLICTS;
            let t = source(&mut rng, &train, &mut used, fraud != conflict);
            (restyle(&train[t].text, rank as u64), Leak::Exact { train: t, conflict })
        } else if rank <= EXACT_COPIES + NEAR_DUPLICATES {
            let t = source(&mut rng, &train, &mut used, fraud);
            (near_copy(&mut rng, &train[t].text), Leak::Near { train: t })
        } else {
            let t = source(&mut rng, &train, &mut used, fraud);
            (span_copy(&mut rng, &fresh, &train[t].text), Leak::Span { train: t })
        };
        let z = latent(&mut score_rng, kind);
        baseline.push(baseline_score(z.baseline));
        // A copy of a training row gets the memorised training score.
        candidate.push(match leak {
            Leak::Exact { train, .. } | Leak::Near { train } => candidate_train[train],
            _ => candidate_score(z.candidate),
        });
        test.push(Row { id: format!("te-{:05}", i + 1), text, fraud });
        test_leaks.push(leak);
    }
    Project { train, test, test_leaks, baseline, candidate, candidate_train }
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn label(fraud: bool) -> &'static str {
    if fraud {
        POSITIVE
    } else {
        NEGATIVE
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// `id,text,label`.
pub fn split_csv(rows: &[Row]) -> String {
    let mut out = String::from("id,text,label\n");
    for r in rows {
        out.push_str(&format!("{},{},{}\n", r.id, csv_field(&r.text), label(r.fraud)));
    }
    out
}

/// A score in ten-thousandths as a 4-decimal probability.
fn score_str(score: u32) -> String {
    format!("{}.{:04}", score / 10_000, score % 10_000)
}

/// `id,label,pred,score`: the gold label, the predicted label (score ≥ 0.5) and P(fraud).
pub fn predictions_csv(rows: &[Row], scores: &[u32]) -> String {
    let mut out = String::from("id,label,pred,score\n");
    for (r, &s) in rows.iter().zip(scores) {
        out.push_str(&format!("{},{},{},{}\n", r.id, label(r.fraud), label(s >= 5_000), score_str(s)));
    }
    out
}

/// A value rounded to `digits` decimals, through its decimal text (exact and portable).
fn round(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}").parse().unwrap()
}

/// Eval loss and F1 at the end of each epoch: best at epoch 3, then overfitting.
const EVAL_LOSS: [f64; EPOCHS as usize] = [0.1583, 0.1241, 0.1102, 0.1178, 0.1326, 0.1489, 0.1627, 0.1731];
const EVAL_F1: [f64; EPOCHS as usize] = [0.5714, 0.6391, 0.6745, 0.6702, 0.6611, 0.6538, 0.6490, 0.6463];
const EVAL_RUNTIME: [f64; EPOCHS as usize] = [6.412, 6.287, 6.301, 6.355, 6.274, 6.318, 6.296, 6.342];

/// A Hugging Face Trainer `trainer_state.json` (keys sorted, as the Trainer writes them).
pub fn trainer_state_json() -> String {
    let mut rng = Rng::new(SEED, 7);
    let total = EPOCHS * STEPS_PER_EPOCH;
    let epoch_at = |step: u64| round(step as f64 / STEPS_PER_EPOCH as f64, 4);
    let mut log = Vec::new();
    let mut loss_sum = 0.0;
    let mut next_eval = 1;
    for step in (LOGGING_STEPS..=total).step_by(LOGGING_STEPS as usize) {
        while next_eval <= EPOCHS && next_eval * STEPS_PER_EPOCH < step {
            log.push(eval_entry(next_eval, epoch_at));
            next_eval += 1;
        }
        let s = step as f64;
        let loss = (0.011 + 0.55 * exp(-s / 90.0) + 0.14 * exp(-s / 480.0)) * (1.0 + 0.07 * normal(&mut rng));
        let grad = (0.9 + 4.2 * exp(-s / 350.0)) * (1.0 + 0.15 * normal(&mut rng));
        loss_sum += loss;
        log.push(json!({
            "epoch": epoch_at(step),
            "grad_norm": round(grad, 4),
            "learning_rate": 2e-5 * (total - step) as f64 / total as f64,
            "loss": round(loss, 4),
            "step": step,
        }));
    }
    while next_eval <= EPOCHS {
        log.push(eval_entry(next_eval, epoch_at));
        next_eval += 1;
    }
    let flos = 1.312e15;
    log.push(json!({
        "epoch": EPOCHS as f64,
        "step": total,
        "total_flos": flos,
        "train_loss": round(loss_sum / (total / LOGGING_STEPS) as f64, 4),
        "train_runtime": 1873.2041,
        "train_samples_per_second": round(TRAIN_ROWS as f64 * EPOCHS as f64 / 1873.2041, 3),
        "train_steps_per_second": round(total as f64 / 1873.2041, 3),
    }));
    let best_step = BEST_EPOCH * STEPS_PER_EPOCH;
    let state = json!({
        "best_global_step": best_step,
        "best_metric": EVAL_LOSS[BEST_EPOCH as usize - 1],
        "best_model_checkpoint": format!("outputs/fraud-detector/checkpoint-{best_step}"),
        "epoch": EPOCHS as f64,
        "eval_steps": STEPS_PER_EPOCH,
        "global_step": total,
        "is_hyper_param_search": false,
        "is_local_process_zero": true,
        "is_world_process_zero": true,
        "log_history": Value::Array(log),
        "logging_steps": LOGGING_STEPS,
        "max_steps": total,
        "num_input_tokens_seen": 0,
        "num_train_epochs": EPOCHS,
        "save_steps": STEPS_PER_EPOCH,
        "total_flos": flos,
        "train_batch_size": BATCH_SIZE,
        "trial_name": null,
        "trial_params": null,
    });
    let mut out = serde_json::to_string_pretty(&state).expect("a JSON value serialises");
    out.push('\n');
    out
}

fn eval_entry(epoch: u64, epoch_at: impl Fn(u64) -> f64) -> Value {
    let i = epoch as usize - 1;
    let runtime = EVAL_RUNTIME[i];
    let batches = (TEST_ROWS as u64).div_ceil(BATCH_SIZE);
    json!({
        "epoch": epoch_at(epoch * STEPS_PER_EPOCH),
        "eval_f1": EVAL_F1[i],
        "eval_loss": EVAL_LOSS[i],
        "eval_runtime": runtime,
        "eval_samples_per_second": round(TEST_ROWS as f64 / runtime, 3),
        "eval_steps_per_second": round(batches as f64 / runtime, 3),
        "step": epoch * STEPS_PER_EPOCH,
    })
}

/// The configuration `fteval check` reads.
pub fn fteval_toml() -> String {
    r#"# fteval check configuration for the demo fraud detector: a text classifier fine-tuned on
# card-transaction descriptions to flag fraud. `fteval check` in this folder reads this file,
# runs every check on the files below and says whether the fine-tune can ship.

# The kind of task: "fraud" means a rare positive class where missing a fraud (a false
# negative) costs far more than a false alarm, so recall matters more than accuracy.
profile = "fraud"

[files]
# Predictions of the model before fine-tuning on test.csv (columns id,label,pred,score).
baseline = "baseline.csv"
# Predictions of the fine-tuned model on the same test rows.
candidate = "candidate.csv"
# The fine-tuned model's predictions on its own training rows: the train-test gap shows overfitting.
train_predictions = "candidate_train.csv"
# The training and test splits (id,text,label), scanned for leakage between them.
train = "train.csv"
test = "test.csv"
# Training logs (Hugging Face trainer_state.json): loss curves and the best checkpoint.
logs = ["trainer_state.json"]

[gates]
# Hard requirements on the candidate; the check fails if one is not met.
# "recall>=0.6": catch at least 60% of frauds.
# "accuracy>=0.95" is deliberately the wrong gate for fraud detection: with 5% fraud, a model
# that never flags anything is 95% accurate. The demo's `wrong_metric` check points this out.
require = ["recall>=0.6", "accuracy>=0.95"]
# The candidate may not lose more than 0.02 ROC AUC against the baseline.
max_regression = { roc_auc = 0.02 }

[leakage]
# Fail when more than 5% of test rows are copies or near copies of training rows.
max_leaked_fraction = 0.05

[overfitting]
# Needs attention when a metric is more than 0.05 better on the training rows than on the test rows
# (and its interval excludes 0).
max_gap = 0.05
"#
    .to_string()
}

/// The demo folder's README.
pub fn readme_md() -> String {
    format!(
        r#"# fteval demo: a fraud detector's fine-tune

A bank fine-tuned a text classifier on card-transaction descriptions to flag fraud
(positive label `{POSITIVE}`, negative `{NEGATIVE}`; about 5% of transactions are fraud).
Did the fine-tune learn better than the model before it, and can we trust the numbers?
Run `fteval check` in this folder to find out. All data is synthetic.

| File | What it is |
|---|---|
| `fteval.toml` | The check configuration: files, gates, leakage and overfitting limits (commented). |
| `train.csv` | {TRAIN_ROWS} training rows (`id,text,label`), {TRAIN_FRAUD} of them fraud. |
| `test.csv` | {TEST_ROWS} test rows, {TEST_FRAUD} fraud. Some leak from the training split. |
| `baseline.csv` | The model before fine-tuning on the test rows (`id,label,pred,score`; score = P(fraud)). |
| `candidate.csv` | The fine-tuned model on the test rows. |
| `candidate_train.csv` | The fine-tuned model on its own training rows. |
| `trainer_state.json` | The Hugging Face Trainer log of the fine-tune: {EPOCHS} epochs, evaluation after each. |

What there is to find:

- **The accuracy paradox.** The baseline is about 95% accurate, as accurate as never
  flagging anything, yet it catches only about a third of the frauds.
- **A real improvement.** The candidate catches about three quarters of the frauds, with a
  clearly higher ROC AUC and better calibrated scores.
- **A wrong gate.** `accuracy>=0.95` in `fteval.toml` does not fit a rare-positive task.
- **Leakage.** {EXACT_COPIES} test rows are copies of training rows ({LABEL_CONFLICTS} of them with
  the other label), {NEAR_DUPLICATES} are near copies and {SHARED_SPANS} share a long span with a training row.
- **Overfitting.** The candidate nearly memorised its training rows, and eval loss rises
  after epoch {BEST_EPOCH}: the best checkpoint is not the last one.

The individual commands:

```sh
fteval metrics baseline.csv --positive fraud
fteval compare baseline.csv candidate.csv --profile fraud --positive fraud
fteval curves trainer_state.json
fteval leakage --train train.csv --test test.csv
```
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (tp, fp, fn, tn, auc) of one prediction file, counted here from its text.
    fn measure(csv: &str) -> (usize, usize, usize, usize, f64) {
        let (mut tp, mut fp, mut fneg, mut tn) = (0, 0, 0, 0);
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (gold, pred) = (f[1] == POSITIVE, f[2] == POSITIVE);
            let score: f64 = f[3].parse().unwrap();
            assert_eq!(pred, score >= 0.5, "{line}");
            match (gold, pred) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fneg += 1,
                (false, false) => tn += 1,
            }
            if gold {
                pos.push(score)
            } else {
                neg.push(score)
            }
        }
        let mut wins = 0.0;
        for p in &pos {
            for n in &neg {
                wins += if p > n {
                    1.0
                } else if p == n {
                    0.5
                } else {
                    0.0
                };
            }
        }
        (tp, fp, fneg, tn, wins / (pos.len() * neg.len()) as f64)
    }

    fn rates(csv: &str) -> (f64, f64, f64, f64) {
        let (tp, fp, fneg, tn, auc) = measure(csv);
        let accuracy = (tp + tn) as f64 / (tp + fp + fneg + tn) as f64;
        (accuracy, tp as f64 / (tp + fneg) as f64, tp as f64 / (tp + fp) as f64, auc)
    }

    /// Expected calibration error over ten equal-width bins.
    fn ece(csv: &str) -> f64 {
        let mut bins = [(0usize, 0.0f64, 0usize); 10];
        let mut n = 0;
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let score: f64 = f[3].parse().unwrap();
            let b = ((score * 10.0) as usize).min(9);
            bins[b].0 += 1;
            bins[b].1 += score;
            bins[b].2 += usize::from(f[1] == POSITIVE);
            n += 1;
        }
        bins.iter().map(|&(c, s, p)| if c == 0 { 0.0 } else { (s - p as f64).abs() }).sum::<f64>() / n as f64
    }

    /// Mean score minus fraud rate among the rows scored at least 0.9.
    fn overconfidence(csv: &str) -> f64 {
        let (mut n, mut sum, mut fraud) = (0, 0.0, 0);
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let score: f64 = f[3].parse().unwrap();
            if score >= 0.9 {
                n += 1;
                sum += score;
                fraud += usize::from(f[1] == POSITIVE);
            }
        }
        (sum - fraud as f64) / n as f64
    }

    /// (id, text, label) of a split file.
    fn parse_split(csv: &str) -> Vec<(String, String, String)> {
        csv.lines()
            .skip(1)
            .map(|line| {
                let (id, rest) = line.split_once(',').unwrap();
                let (text, label) = rest.rsplit_once(',').unwrap();
                let text = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
                (id.to_string(), text.replace("\"\"", "\""), label.to_string())
            })
            .collect()
    }

    fn normalised(text: &str) -> String {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn shingles(text: &str, k: usize) -> std::collections::BTreeSet<String> {
        let n = normalised(text);
        let w: Vec<&str> = n.split(' ').collect();
        w.windows(k).map(|s| s.join(" ")).collect()
    }

    fn jaccard(a: &str, b: &str) -> f64 {
        let (a, b) = (shingles(a, 5), shingles(b, 5));
        let shared = a.intersection(&b).count();
        shared as f64 / (a.len() + b.len() - shared) as f64
    }

    #[test]
    fn generation_is_deterministic() {
        let (a, b) = (project_files(), project_files());
        assert_eq!(a, b);
        let size: usize = a.iter().map(|(_, c)| c.len()).sum();
        assert!(size < 3_000_000, "{size} bytes");
        assert_eq!(a.iter().map(|(n, _)| *n).collect::<Vec<_>>(), FILES);
    }

    #[test]
    fn generation_is_fast() {
        let start = std::time::Instant::now();
        let _ = project_files();
        // 0.5 s in release; debug builds are several times slower.
        let limit = if cfg!(debug_assertions) { 5.0 } else { 0.5 };
        assert!(start.elapsed().as_secs_f64() < limit, "{:?}", start.elapsed());
    }

    #[test]
    fn splits_have_the_planned_size_prevalence_and_lengths() {
        let p = Project::generate();
        for (csv, rows, fraud) in [(p.train_csv(), TRAIN_ROWS, TRAIN_FRAUD), (p.test_csv(), TEST_ROWS, TEST_FRAUD)] {
            let parsed = parse_split(&csv);
            assert_eq!(parsed.len(), rows);
            assert_eq!(parsed.iter().filter(|r| r.2 == POSITIVE).count(), fraud);
            assert!(parsed.iter().all(|r| r.2 == POSITIVE || r.2 == NEGATIVE));
            for (_, text, _) in &parsed {
                let n = word_count(text);
                assert!((20..=40).contains(&n), "{n} words: {text}");
            }
        }
    }

    #[test]
    fn baseline_shows_the_accuracy_paradox() {
        let p = Project::generate();
        let (accuracy, recall, precision, auc) = rates(&p.baseline_csv());
        eprintln!("baseline acc {accuracy:.4} rec {recall:.4} prec {precision:.4} auc {auc:.4}");
        assert!((0.95..=0.96).contains(&accuracy), "{accuracy}");
        assert!((0.25..=0.35).contains(&recall), "{recall}");
        assert!((0.5..=0.7).contains(&precision), "{precision}");
        assert!((0.75..=0.85).contains(&auc), "{auc}");
    }

    #[test]
    fn candidate_catches_most_fraud_and_ranks_better() {
        let p = Project::generate();
        let (b_acc, b_rec, _, b_auc) = rates(&p.baseline_csv());
        let (accuracy, recall, precision, auc) = rates(&p.candidate_csv());
        eprintln!("candidate acc {accuracy:.4} rec {recall:.4} prec {precision:.4} auc {auc:.4}");
        assert!((0.70..=0.80).contains(&recall), "{recall}");
        assert!(recall - b_rec > 0.3);
        assert!((0.55..=0.70).contains(&precision), "{precision}");
        assert!(accuracy >= b_acc - 0.005 && accuracy <= 0.975, "{accuracy} vs {b_acc}");
        assert!((0.90..=0.96).contains(&auc) && auc - b_auc > 0.08, "{auc} vs {b_auc}");
        let (b_ece, c_ece) = (ece(&p.baseline_csv()), ece(&p.candidate_csv()));
        eprintln!("ece baseline {b_ece:.4} candidate {c_ece:.4}");
        assert!(b_ece > c_ece, "{b_ece} vs {c_ece}");
        // Overconfidence: the baseline's confident fraud calls are right far less often than
        // their scores claim.
        let (b_gap, c_gap) = (overconfidence(&p.baseline_csv()), overconfidence(&p.candidate_csv()));
        eprintln!("overconfidence baseline {b_gap:.4} candidate {c_gap:.4}");
        assert!(b_gap > 0.25 && c_gap < b_gap - 0.1, "{b_gap} vs {c_gap}");
    }

    #[test]
    fn candidate_memorised_its_training_rows() {
        let p = Project::generate();
        let (_, recall, precision, _) = rates(&p.candidate_train_csv());
        eprintln!("candidate train rec {recall:.4} prec {precision:.4}");
        assert!((0.95..=0.99).contains(&recall), "{recall}");
        assert!((0.93..=0.98).contains(&precision), "{precision}");
        let (_, test_recall, _, _) = rates(&p.candidate_csv());
        assert!(recall - test_recall > 0.15);
        // The prediction files name the rows of their splits.
        let csv = p.candidate_train_csv();
        let ids: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert!(ids.iter().zip(&p.train).all(|(id, row)| *id == row.id));
        assert_eq!(ids.len(), TRAIN_ROWS);
    }

    #[test]
    fn leaks_are_planted_as_described() {
        let p = Project::generate();
        let train = parse_split(&p.train_csv());
        let test = parse_split(&p.test_csv());
        let by_text: std::collections::BTreeMap<String, &str> =
            train.iter().map(|(_, t, l)| (normalised(t), l.as_str())).collect();
        assert_eq!(by_text.len(), TRAIN_ROWS, "training texts are distinct");
        let mut copies = 0;
        let mut conflicts = 0;
        for (_, text, label) in &test {
            if let Some(train_label) = by_text.get(&normalised(text)) {
                copies += 1;
                conflicts += usize::from(train_label != label);
            }
        }
        assert_eq!(copies, EXACT_COPIES);
        assert_eq!(conflicts, LABEL_CONFLICTS);
        // Exact copies differ in case or punctuation only.
        let restyled = p
            .test_leaks
            .iter()
            .enumerate()
            .filter(|(i, l)| matches!(l, Leak::Exact { train, .. } if p.test[*i].text != p.train[*train].text))
            .count();
        assert_eq!(restyled, EXACT_COPIES);
        // Near duplicates: at or above the 0.8 Jaccard of `fteval leakage`, yet not copies.
        let mut near = 0;
        let mut spans = 0;
        for (i, leak) in p.test_leaks.iter().enumerate() {
            match *leak {
                Leak::Near { train } => {
                    let j = jaccard(&p.test[i].text, &p.train[train].text);
                    assert!((0.8..1.0).contains(&j), "{j}");
                    near += 1;
                }
                Leak::Span { train } => {
                    let (a, b) = (
                        shingles(&p.test[i].text, SHARED_SPAN_WORDS),
                        shingles(&p.train[train].text, SHARED_SPAN_WORDS),
                    );
                    assert!(a.intersection(&b).count() > 0);
                    assert!(jaccard(&p.test[i].text, &p.train[train].text) < 0.5);
                    spans += 1;
                }
                _ => {}
            }
        }
        assert_eq!((near, spans), (NEAR_DUPLICATES, SHARED_SPANS));
    }

    #[test]
    fn unrelated_rows_are_not_near_duplicates() {
        let p = Project::generate();
        let mut rng = Rng::new(99, 0);
        let mut worst: f64 = 0.0;
        for _ in 0..600 {
            let a = &p.train[rng.below(TRAIN_ROWS as u64) as usize].text;
            let b = &p.train[rng.below(TRAIN_ROWS as u64) as usize].text;
            let c = &p.test[rng.below(TEST_ROWS as u64) as usize];
            if a != b {
                worst = worst.max(jaccard(a, b));
            }
            // Fresh test rows against training rows.
            let i = c.id[3..].parse::<usize>().unwrap() - 1;
            if p.test_leaks[i] == Leak::None {
                worst = worst.max(jaccard(a, &c.text));
            }
        }
        eprintln!("worst unrelated jaccard {worst:.3}");
        assert!(worst < 0.3, "{worst}");
    }

    #[test]
    fn fresh_test_rows_share_no_13_word_span_with_training() {
        let p = Project::generate();
        let train: std::collections::BTreeSet<String> = p.train.iter().flat_map(|r| shingles(&r.text, 13)).collect();
        let shared: Vec<String> = p
            .test
            .iter()
            .zip(&p.test_leaks)
            .filter(|(_, l)| **l == Leak::None)
            .flat_map(|(r, _)| shingles(&r.text, 13).into_iter().filter(|s| train.contains(s)))
            .collect();
        assert!(shared.is_empty(), "{} shared, e.g. {:?}", shared.len(), &shared[..shared.len().min(5)]);
    }

    #[test]
    fn trainer_state_overfits_after_epoch_3() {
        let state: Value = serde_json::from_str(&trainer_state_json()).unwrap();
        let total = EPOCHS * STEPS_PER_EPOCH;
        assert_eq!(state["global_step"], total);
        assert_eq!(
            state["best_model_checkpoint"],
            format!("outputs/fraud-detector/checkpoint-{}", 3 * STEPS_PER_EPOCH)
        );
        let log = state["log_history"].as_array().unwrap();
        let evals: Vec<(f64, f64)> =
            log.iter().filter_map(|e| Some((e.get("epoch")?.as_f64()?, e.get("eval_loss")?.as_f64()?))).collect();
        assert_eq!(evals.len(), EPOCHS as usize);
        let best = evals.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        assert_eq!(best.0, 3.0);
        let train: Vec<(u64, f64)> =
            log.iter().filter_map(|e| Some((e.get("step")?.as_u64()?, e.get("loss")?.as_f64()?))).collect();
        assert_eq!(train.len() as u64, total / LOGGING_STEPS);
        let (first, last) = (train[0].1, train[train.len() - 1].1);
        assert!(first > 0.3 && (0.01..0.04).contains(&last), "{first} {last}");
        let lr: Vec<f64> = log.iter().filter_map(|e| e.get("learning_rate")?.as_f64()).collect();
        assert!(lr.windows(2).all(|w| w[1] < w[0]) && lr[0] < 2e-5);
        // Steps increase through the log.
        let steps: Vec<u64> = log.iter().map(|e| e["step"].as_u64().unwrap()).collect();
        assert!(steps.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn exp_is_accurate() {
        for x in [-20.0, -3.5, -1.0, -0.2, 0.0, 0.3, 1.0, 2.5, 10.0] {
            let rel = (exp(x) - f64::exp(x)).abs() / f64::exp(x);
            assert!(rel < 1e-13, "{x}: {rel}");
        }
    }
}
