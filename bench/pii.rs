//! Prints the scrubber's precision and recall on the labelled tables, overall and per kind,
//! and its speed relative to references measured in the same run: a single regex (the
//! e-mail pattern, the first the scrubber applies) over the same text, so the ratio is what
//! the full rule set costs; and the numbers-only scrubber (`scrub_numbers`, the scrubber
//! before names, addresses and dates of birth), so the second ratio is what those cost.

use std::hint::black_box;
use std::time::Instant;

use civicpulse_core::pii::{evaluation, scrub, scrub_numbers};
use regex::Regex;

const ROUNDS: usize = 2_000;

fn main() {
    let evaluation = evaluation::evaluate();
    println!("{evaluation}");
    for mistake in &evaluation.mistakes {
        println!("  {mistake}");
    }
    let texts: Vec<String> = evaluation::labelled_cases()
        .into_iter()
        .map(|case| case.text)
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum::<usize>() * ROUNDS;

    let reference =
        Regex::new(r"[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}")
            .expect("reference pattern");
    let started = Instant::now();
    for _ in 0..ROUNDS {
        for text in &texts {
            black_box(reference.replace_all(black_box(text), "###"));
        }
    }
    let reference_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for _ in 0..ROUNDS {
        for text in &texts {
            black_box(scrub(black_box(text)));
        }
    }
    let scrub_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for _ in 0..ROUNDS {
        for text in &texts {
            black_box(scrub_numbers(black_box(text)));
        }
    }
    let numbers_secs = started.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;
    println!(
        "scrub: {:.1} MB/s; reference (one pattern): {:.1} MB/s; time ratio scrub/reference {:.2}",
        mb / scrub_secs,
        mb / reference_secs,
        scrub_secs / reference_secs
    );
    println!(
        "numbers only: {:.1} MB/s; time ratio scrub/numbers only {:.2} (names, addresses and dates of birth cost the difference)",
        mb / numbers_secs,
        scrub_secs / numbers_secs
    );
}
