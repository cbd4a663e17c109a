//! Themes benchmark: per-theme precision, recall and F1 of the seeds alone and of the trained
//! model on a held-out fifth, the baseline's macro F1 and the training times, on the labelled
//! set of the tests (698 comments) and on a synthetic file of 20 000 comments and 50 themes it
//! writes; then tagging throughput in comments per second, as a ratio to a same-run
//! reference: reading the same comments through the text pipeline alone.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use civicpulse_analytics::themes::evaluate;
use civicpulse_analytics::themes::text::{Analysed, Language};
use civicpulse_analytics::themes::{LabelledSet, LabelsOptions, Model, TrainOptions};
use civicpulse_core::theme::Theme;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const COMMENTS: usize = 20_000;
const THEMES: usize = 50;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog =
        civicpulse_core::Catalog::load(&root.join("../../catalog.toml")).expect("catalog");
    let labelled =
        std::fs::File::open(root.join("tests/data/comments_labelled.csv")).expect("labels");
    let labelled = LabelledSet::read(labelled, &LabelsOptions::default()).expect("labels");
    run(
        "labelled set (698 comments, 19 themes, EN/FR)",
        &catalog.themes,
        &labelled,
    );

    let (taxonomy, csv) = synthetic(7);
    let path = std::env::temp_dir().join("civicpulse-themes-bench.csv");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(csv.as_bytes()))
        .expect("write synthetic CSV");
    let file = std::fs::File::open(&path).expect("synthetic CSV");
    let synthetic = LabelledSet::read(file, &LabelsOptions::default()).expect("synthetic CSV");
    let model = run(
        "synthetic (20 000 comments, 50 themes)",
        &taxonomy,
        &synthetic,
    );

    let started = Instant::now();
    let full = Model::train(&taxonomy, &synthetic, &TrainOptions::default()).expect("train");
    println!(
        "\ntraining on all 20 000 × 50: {:.2} s (fingerprint {}…)",
        started.elapsed().as_secs_f64(),
        &full.fingerprint()[..12]
    );

    let texts: Vec<&str> = synthetic.comments.iter().map(|c| c.text.as_str()).collect();
    let started = Instant::now();
    for text in &texts {
        black_box(Analysed::new(
            black_box(text),
            Language::detect(text, Language::En),
        ));
    }
    let reference = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for text in &texts {
        black_box(model.read(black_box(text), None, None));
    }
    let tagging = started.elapsed().as_secs_f64();
    println!(
        "tagging: {:.0} comments/s (50 themes, sentiment, evidence); the text pipeline alone: {:.0} comments/s; ratio {:.2}",
        texts.len() as f64 / tagging,
        texts.len() as f64 / reference,
        tagging / reference
    );
}

fn run(title: &str, taxonomy: &[Theme], set: &LabelledSet) -> Model {
    let (train, test) = evaluate::split(set, 0.2, 1);
    let result = evaluate::evaluate(
        taxonomy,
        &set.subset(&train),
        &set.subset(&test),
        &TrainOptions::default(),
    )
    .expect("evaluate");
    println!(
        "\n== {title}: trained on {}, tested on {}",
        train.len(),
        test.len()
    );
    println!(
        "{:22} {:>7}  {:>17}  {:>17}",
        "theme", "support", "seeds P/R/F1", "model P/R/F1"
    );
    let seeds = result.seeds.as_ref();
    for (i, m) in result.model.themes.iter().enumerate() {
        let s = seeds.map(|s| &s.themes[i]);
        println!(
            "{:22} {:>7}  {:>17}  {:.2}/{:.2}/{:.2}",
            m.theme,
            m.support,
            s.map_or("-".into(), |s| format!(
                "{:.2}/{:.2}/{:.2}",
                s.precision, s.recall, s.f1
            )),
            m.precision,
            m.recall,
            m.f1
        );
    }
    println!(
        "macro F1: seeds {}, model {:.3}, baseline (TF-IDF + linear SVM) {:.3}; model/baseline {:.2}",
        seeds.map_or("-".into(), |s| format!("{:.3}", s.macro_f1)),
        result.model.macro_f1,
        result.baseline.macro_f1,
        result.model.macro_f1 / result.baseline.macro_f1.max(1e-9)
    );
    println!(
        "training: model {:.2} s, baseline {:.2} s (ratio {:.1})",
        result.model_training.as_secs_f64(),
        result.baseline_training.as_secs_f64(),
        result.model_training.as_secs_f64() / result.baseline_training.as_secs_f64().max(1e-9)
    );
    result.trained
}

/// A made-up domain: each theme has six cue words (its first three are its seeds), comments
/// carry zero to three themes, one or two cues each (a tenth misspelt), among filler words;
/// a cue now and then appears negated or in a comment without its theme, so seeds are not
/// the whole answer.
fn synthetic(seed: u64) -> (Vec<Theme>, String) {
    let mut rng = StdRng::seed_from_u64(seed);
    let syllables = [
        "ka", "lo", "mi", "ru", "te", "sa", "po", "ne", "di", "vo", "ba", "fi", "gu", "ze",
    ];
    let word = |rng: &mut StdRng, parts: usize| -> String {
        (0..parts)
            .map(|_| *syllables.choose(rng).unwrap())
            .collect()
    };
    let filler: Vec<String> = (0..3000).map(|_| word(&mut rng, 3)).collect();
    let cues: Vec<Vec<String>> = (0..THEMES)
        .map(|_| (0..6).map(|_| word(&mut rng, 4)).collect())
        .collect();
    let taxonomy: Vec<Theme> = cues
        .iter()
        .enumerate()
        .map(|(t, words)| Theme {
            id: format!("theme-{t:02}"),
            name: format!("Theme {t}"),
            name_fr: format!("Thème {t}"),
            parent: None,
            seeds: words[..3].to_vec(),
            seeds_fr: words[..3].to_vec(),
            services: vec![],
            praise: false,
        })
        .collect();
    let mut csv = String::from("text");
    for theme in &taxonomy {
        csv.push(',');
        csv.push_str(&theme.id);
    }
    csv.push('\n');
    for _ in 0..COMMENTS {
        let count = *[0usize, 1, 1, 1, 2, 2, 3].choose(&mut rng).unwrap();
        let mut themes: Vec<usize> = (0..THEMES).collect();
        themes.shuffle(&mut rng);
        // Skewed frequencies: low theme numbers are common, high ones rare.
        let mut chosen: Vec<usize> = themes
            .into_iter()
            .filter(|t| rng.gen_bool(1.0 / (1.0 + *t as f64 / 10.0)))
            .take(count)
            .collect();
        chosen.sort_unstable();
        let mut words: Vec<String> = (0..rng.gen_range(6..16))
            .map(|_| filler.choose(&mut rng).unwrap().clone())
            .collect();
        for &t in &chosen {
            for _ in 0..rng.gen_range(1..=2) {
                let mut cue = cues[t].choose(&mut rng).unwrap().clone();
                if rng.gen_bool(0.1) {
                    cue.pop();
                }
                words.insert(rng.gen_range(0..=words.len()), cue);
            }
        }
        if rng.gen_bool(0.15) {
            let other = rng.gen_range(0..THEMES);
            if !chosen.contains(&other) {
                words.insert(0, format!("not {}", cues[other][rng.gen_range(0..6)]));
            }
        }
        csv.push_str(&words.join(" "));
        for t in 0..THEMES {
            csv.push_str(if chosen.contains(&t) { ",1" } else { ",0" });
        }
        csv.push('\n');
    }
    (taxonomy, csv)
}
