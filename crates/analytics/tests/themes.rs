//! The themes model on the labelled set written for the test (698 comments, English and
//! French): trained on a seeded 80/20 split, measured on the held-out fifth.

use std::path::Path;

use civicpulse_analytics::themes::evaluate::{self, Evaluation};
use civicpulse_analytics::themes::{
    LabelledSet, LabelsOptions, Language, Model, Sentiment, TrainOptions,
};
use civicpulse_core::Catalog;

fn catalog() -> Catalog {
    Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog.toml")).unwrap()
}

fn labelled() -> LabelledSet {
    read("comments_labelled.csv")
}

fn read(name: &str) -> LabelledSet {
    let file = std::fs::File::open(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name),
    )
    .unwrap();
    LabelledSet::read(file, &LabelsOptions::default()).unwrap()
}

/// Trained on the whole labelled set, measured on 458 comments written by someone who saw
/// neither that set nor the seed phrases: the honest figure, since the seeds were written
/// after reading the labelled set. Measured with these options: seeds 0.633, model 0.693,
/// and the baseline, TF-IDF + linear SVM with its cost and threshold cross-validated like the
/// model's, 0.604. The model beats both, and each floor sits a few points below its measure.
#[test]
fn on_comments_written_blind_the_model_beats_the_seeds_and_the_tuned_baseline() {
    let evaluation = evaluate::evaluate(
        &catalog().themes,
        &labelled(),
        &read("comments_heldout.csv"),
        &TrainOptions::default(),
    )
    .unwrap();
    let seeds = evaluation.seeds.as_ref().unwrap();
    eprintln!(
        "blind macro F1: seeds {:.3}, model {:.3}, baseline {:.3}",
        seeds.macro_f1, evaluation.model.macro_f1, evaluation.baseline.macro_f1
    );
    assert!(seeds.macro_f1 >= 0.60, "seeds {}", seeds.macro_f1);
    assert!(
        evaluation.model.macro_f1 >= 0.67,
        "model {}",
        evaluation.model.macro_f1
    );
    assert!(
        evaluation.model.macro_f1 >= seeds.macro_f1 + 0.04,
        "the labels add little: model {} against seeds {}",
        evaluation.model.macro_f1,
        seeds.macro_f1
    );
    assert!(
        evaluation.baseline.macro_f1 >= FLOOR_BLIND_BASELINE,
        "baseline {}",
        evaluation.baseline.macro_f1
    );
    assert!(
        evaluation.model.macro_f1 >= evaluation.baseline.macro_f1 + 0.04,
        "the model no longer clearly beats the tuned baseline: model {} against baseline {}",
        evaluation.model.macro_f1,
        evaluation.baseline.macro_f1
    );
}

const FLOOR_BLIND_BASELINE: f64 = 0.57;

/// Sentiment on the same blind comments: the learned model against the lexicon it starts
/// from. Measured: lexicon accuracy 0.502 (macro F1 0.523), model 0.681 (0.568).
#[test]
fn on_comments_written_blind_learned_sentiment_beats_the_lexicon() {
    let catalog = catalog();
    let blind = read("comments_heldout.csv");
    let trained = Model::train(&catalog.themes, &labelled(), &TrainOptions::default()).unwrap();
    let model = evaluate::sentiment_scores(&trained, &blind).unwrap();
    let lexicon = evaluate::sentiment_scores(&Model::cold_start(&catalog.themes), &blind).unwrap();
    eprintln!("sentiment: lexicon {lexicon:?}, model {model:?}");
    assert_eq!(model.compared, 458);
    assert!(model.accuracy >= 0.64, "{model:?}");
    assert!(model.macro_f1 >= 0.53, "{model:?}");
    assert!(
        model.accuracy >= lexicon.accuracy + 0.1,
        "{model:?} against {lexicon:?}"
    );
}

fn held_out() -> Evaluation {
    let set = labelled();
    let (train, test) = evaluate::split(&set, 0.2, 7);
    evaluate::evaluate(
        &catalog().themes,
        &set.subset(&train),
        &set.subset(&test),
        &TrainOptions::default(),
    )
    .unwrap()
}

#[test]
fn the_trained_model_beats_seeds_and_the_baseline_on_held_out_comments() {
    let evaluation = held_out();
    let seeds = evaluation.seeds.as_ref().unwrap();
    eprintln!(
        "macro F1: seeds {:.3}, model {:.3}, baseline {:.3}; micro F1: seeds {:.3}, model {:.3}, baseline {:.3}; training {:?}",
        seeds.macro_f1,
        evaluation.model.macro_f1,
        evaluation.baseline.macro_f1,
        seeds.micro_f1,
        evaluation.model.micro_f1,
        evaluation.baseline.micro_f1,
        evaluation.model_training
    );
    for (s, m) in evaluation.model.themes.iter().zip(&seeds.themes) {
        eprintln!(
            "{:22} support {:3}  seeds F1 {:.2}  model P {:.2} R {:.2} F1 {:.2}",
            s.theme, s.support, m.f1, s.precision, s.recall, s.f1
        );
    }
    assert!(seeds.macro_f1 >= FLOOR_SEEDS, "{}", seeds.macro_f1);
    assert!(
        evaluation.model.macro_f1 >= FLOOR_MODEL,
        "{}",
        evaluation.model.macro_f1
    );
    assert!(
        evaluation.baseline.macro_f1 >= FLOOR_BASELINE,
        "{}",
        evaluation.baseline.macro_f1
    );
    assert!(
        evaluation.model.macro_f1 > evaluation.baseline.macro_f1,
        "model {} against the tuned baseline {}",
        evaluation.model.macro_f1,
        evaluation.baseline.macro_f1
    );
}

/// Measured on this split: seeds 0.600, model 0.622, baseline (cost and threshold
/// cross-validated like the model's) 0.535; the floors sit a few points below so a
/// regression fails and a change of platform does not.
const FLOOR_SEEDS: f64 = 0.56;
const FLOOR_MODEL: f64 = 0.59;
const FLOOR_BASELINE: f64 = 0.50;

#[test]
fn training_is_deterministic_and_the_model_file_keeps_its_fingerprint() {
    let set = labelled();
    let options = TrainOptions {
        costs: vec![4.0],
        ..TrainOptions::default()
    };
    let a = Model::train(&catalog().themes, &set, &options).unwrap();
    let b = Model::train(&catalog().themes, &set, &options).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.fingerprint().len(), 64);
    let loaded = Model::from_json(&a.to_json()).unwrap();
    assert_eq!(loaded.fingerprint(), a.fingerprint());
    let text = "Attendu 4 heures au bureau des passeports, personnel impoli.";
    assert_eq!(loaded.tag(text, None, None), a.tag(text, None, None));
    // An edited threshold no longer matches the fingerprint.
    let tampered = a
        .to_json()
        .replacen("\"threshold\":0.", "\"threshold\":0.0", 1);
    assert!(Model::from_json(&tampered)
        .unwrap_err()
        .to_string()
        .contains("fingerprint"));
}

#[test]
fn a_trained_model_reads_negation_french_and_sentiment_with_evidence() {
    let model = Model::train(&catalog().themes, &labelled(), &TrainOptions::default()).unwrap();
    let themes = |text: &str| -> Vec<String> {
        model
            .tag(text, None, None)
            .into_iter()
            .map(|t| t.theme)
            .collect()
    };
    // Not rude is still about the staff's manner, and not a complaint.
    let reading = model.read(
        "The staff were not rude at all, quite nice actually.",
        None,
        None,
    );
    assert!(
        reading.tags.iter().any(|t| t.theme == "staff-manner"),
        "{reading:?}"
    );
    assert_ne!(
        reading.sentiment.sentiment,
        Sentiment::Negative,
        "{reading:?}"
    );
    let reading = model.read("The agent was rude and yelled at my mother.", None, None);
    assert_eq!(
        reading.sentiment.sentiment,
        Sentiment::Negative,
        "{reading:?}"
    );
    // French, with and without accents, and evidence a person can read.
    let text = "J'ai attendu trois heures dans la file au bureau, c'est ridicule.";
    let reading = model.read(text, None, None);
    assert_eq!(reading.language, Language::Fr);
    let waiting = reading
        .tags
        .iter()
        .find(|t| t.theme == "waiting-time")
        .unwrap();
    assert!(!waiting.evidence.is_empty());
    for evidence in &waiting.evidence {
        assert_eq!(&text[evidence.start..evidence.end], evidence.phrase);
    }
    assert!(themes("Mon passeport est jamais arrive par la poste")
        .contains(&"mail-delivery".to_string()));
    assert!(themes("Impossible de me connecter, mot de passe refusé")
        .contains(&"sign-in-identity".to_string()));
}

/// The aggregator reads with a trained model under the catalog's taxonomy of the day: the
/// same taxonomy keeps the model and its fingerprint; a changed one (a seed added, a theme
/// removed) is a new fingerprint, so every comment is read again, and the reading follows
/// the change.
#[test]
fn a_trained_model_under_a_changed_taxonomy_has_a_new_fingerprint_and_reads_by_it() {
    let catalog = catalog();
    let set = labelled();
    let first: Vec<usize> = (0..200).collect();
    let options = TrainOptions {
        costs: vec![4.0],
        ..TrainOptions::default()
    };
    let trained = Model::train(&catalog.themes, &set.subset(&first), &options).unwrap();
    let fingerprint = trained.fingerprint().to_string();
    let same = trained.clone().under(&catalog.themes);
    assert_eq!(same.fingerprint(), fingerprint);

    // A word no vocabulary holds, made a seed of mail and delivery.
    let text = "The zorblax took my papers.";
    let mut seeded = catalog.themes.clone();
    let mail = seeded.iter_mut().find(|t| t.id == "mail-delivery").unwrap();
    mail.seeds.push("zorblax".into());
    let with_seed = trained.clone().under(&seeded);
    assert_ne!(with_seed.fingerprint(), fingerprint);
    let tagged = |model: &Model| -> Vec<String> {
        model
            .tag(text, None, None)
            .into_iter()
            .map(|t| t.theme)
            .collect()
    };
    assert!(!tagged(&same).contains(&"mail-delivery".to_string()));
    assert!(tagged(&with_seed).contains(&"mail-delivery".to_string()));

    let without_fees: Vec<_> = catalog
        .themes
        .iter()
        .filter(|t| t.id != "fees-cost")
        .cloned()
        .collect();
    let narrower = trained.under(&without_fees);
    assert_ne!(narrower.fingerprint(), fingerprint);
    assert!(narrower.themes().iter().all(|t| t.id != "fees-cost"));
    let fees = "The fee of 160 dollars is far too expensive.";
    assert!(same
        .tag(fees, None, None)
        .iter()
        .any(|t| t.theme == "fees-cost"));
    assert!(narrower
        .tag(fees, None, None)
        .iter()
        .all(|t| t.theme != "fees-cost"));
}
