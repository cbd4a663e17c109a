//! The report's two languages: every fixed sentence comes from a Fluent message catalogue
//! (`locales/en.ftl`, `locales/fr.ftl`), and numbers and dates are written the way each
//! locale writes them (`81.2%` / `81,2 %`, `1,234` / `1 234`, `1 October 2026` /
//! `1 octobre 2026`).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use civicpulse_core::money::{Currency, Money};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use num_format::{Locale, ToFormattedString};

/// A report language (configured as `[reports] languages`).
pub use civicpulse_core::config::Language;

/// What each language brings: its catalogue and its number and date formats.
trait LocaleData {
    fn catalogue(self) -> &'static str;
    fn numbers(self) -> Locale;
    fn dates(self) -> chrono::Locale;
}

impl LocaleData for Language {
    fn catalogue(self) -> &'static str {
        match self {
            Language::En => include_str!("../locales/en.ftl"),
            Language::Fr => include_str!("../locales/fr.ftl"),
        }
    }

    fn numbers(self) -> Locale {
        match self {
            Language::En => Locale::en,
            Language::Fr => Locale::fr_CA,
        }
    }

    fn dates(self) -> chrono::Locale {
        match self {
            Language::En => chrono::Locale::en_CA,
            Language::Fr => chrono::Locale::fr_CA,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("message `{0}` is missing from the {1} catalogue")]
    Missing(String, &'static str),
    #[error("message `{key}` in {lang}: {errors}")]
    Format {
        key: String,
        lang: &'static str,
        errors: String,
    },
}

/// One language's messages and formats; cheap to clone.
#[derive(Clone)]
pub struct Messages {
    lang: Language,
    bundle: Arc<FluentBundle<FluentResource>>,
}

impl Messages {
    pub fn new(lang: Language) -> Messages {
        let resource = FluentResource::try_new(lang.catalogue().to_string())
            .unwrap_or_else(|(_, errors)| panic!("{} catalogue parses: {errors:?}", lang.as_str()));
        let id: unic_langid::LanguageIdentifier =
            lang.as_str().parse().expect("en and fr are language ids");
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks: the text is left-to-right in both languages, and the
        // marks would reach pdftotext and screen readers.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .expect("each catalogue defines every message once");
        Messages {
            lang,
            bundle: Arc::new(bundle),
        }
    }

    pub fn lang(&self) -> Language {
        self.lang
    }

    /// The message `key` with `args` (numbers select plural forms; text is inserted).
    pub fn get(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> Result<String, MessageError> {
        let message = self
            .bundle
            .get_message(key)
            .and_then(|m| m.value())
            .ok_or_else(|| MessageError::Missing(key.to_string(), self.lang.as_str()))?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(message, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            return Err(MessageError::Format {
                key: key.to_string(),
                lang: self.lang.as_str(),
                errors: format!("{errors:?}"),
            });
        }
        Ok(text.into_owned())
    }

    /// Whether the catalogue has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.bundle.has_message(key)
    }

    /// A whole number with the locale's grouping: `12,345` / `12 345`.
    pub fn count(&self, n: u64) -> String {
        n.to_formatted_string(&self.lang.numbers())
    }

    /// A decimal with `places` digits after the locale's decimal mark.
    pub fn decimal(&self, value: f64, places: usize) -> String {
        let text = format!("{:.*}", places, value.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let locale = self.lang.numbers();
        let whole: u64 = whole.parse().unwrap_or(0);
        let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            "−"
        } else {
            ""
        };
        let mut out = format!("{sign}{}", whole.to_formatted_string(&locale));
        if !fraction.is_empty() {
            out.push_str(locale.decimal());
            out.push_str(fraction);
        }
        out
    }

    /// A share as a percentage with one decimal: `81.2%` / `81,2 %`.
    pub fn percent(&self, share: f64) -> String {
        let number = self.decimal(share * 100.0, 1);
        match self.lang {
            Language::En => format!("{number}%"),
            // French puts a (narrow no-break) space before the sign.
            Language::Fr => format!("{number}\u{202f}%"),
        }
    }

    /// A change of a share in percentage points, signed: `+3.1 pts` / `+3,1 pts`.
    pub fn points(&self, change: f64) -> String {
        let sign = if change > 0.0 { "+" } else { "" };
        // French counts under two in the singular: « 1,4 pt », « 2,5 pts ».
        let unit = match self.lang {
            Language::Fr if (change * 100.0).abs() < 2.0 => "pt",
            _ => "pts",
        };
        format!("{sign}{}\u{a0}{unit}", self.decimal(change * 100.0, 1))
    }

    /// A day as the locale writes it: `1 October 2026` / `1 octobre 2026`.
    pub fn date(&self, day: NaiveDate) -> String {
        let date = day
            .format_localized("%-d %B %Y", self.lang.dates())
            .to_string();
        // French writes the first of a month as an ordinal: « 1er novembre ».
        match self.lang {
            Language::Fr if day.day() == 1 => date.replacen('1', "1er", 1),
            _ => date,
        }
    }

    /// A month as the locale names it, with its year or without: `November 2026`, `juillet`.
    pub fn month(&self, day: NaiveDate, with_year: bool) -> String {
        let format = if with_year { "%B %Y" } else { "%B" };
        day.format_localized(format, self.lang.dates()).to_string()
    }

    /// An instant as a reader reads it, in the report's zone: `3 December 2026, 08:51` /
    /// `3 décembre 2026, 8 h 51`.
    pub fn instant(&self, at: chrono::DateTime<chrono_tz::Tz>) -> String {
        let day = self.date(at.date_naive());
        match self.lang {
            Language::En => format!("{day}, {}", at.format("%H:%M")),
            Language::Fr => format!("{day}, {}", at.format("%-H h %M")),
        }
    }

    /// An amount of money: `1,250.00 CAD` / `1 250,00 CAD` ([`Money::format`], the one
    /// place money is written); `–` for a standard without a currency, like any figure
    /// that does not apply.
    pub fn money(&self, money: Money) -> String {
        if money.currency == Currency::XXX {
            return "–".into();
        }
        money.format(self.lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids of a catalogue, from its source.
    fn ids(lang: Language) -> std::collections::BTreeSet<String> {
        lang.catalogue()
            .lines()
            .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_messages() {
        let (en, fr) = (ids(Language::En), ids(Language::Fr));
        assert!(en.len() > 50, "{} messages", en.len());
        assert_eq!(
            en.symmetric_difference(&fr).collect::<Vec<_>>(),
            Vec::<&String>::new()
        );
        for lang in Language::ALL {
            let messages = Messages::new(lang);
            for id in ids(lang) {
                assert!(messages.has(&id), "{id} in {}", lang.as_str());
            }
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_locale() {
        let (en, fr) = (Messages::new(Language::En), Messages::new(Language::Fr));
        assert_eq!(en.percent(0.8125), "81.2%");
        assert_eq!(fr.percent(0.8125), "81,2\u{202f}%");
        assert_eq!(en.count(12_345), "12,345");
        assert_eq!(
            fr.count(12_345).replace(['\u{a0}', '\u{202f}'], " "),
            "12 345"
        );
        assert_eq!(en.decimal(-0.25, 2), "−0.25");
        assert_eq!(en.points(0.031), "+3.1\u{a0}pts");
        let day: NaiveDate = "2026-10-01".parse().unwrap();
        assert_eq!(en.date(day), "1 October 2026");
        assert_eq!(fr.date(day), "1er octobre 2026");
        let eleventh: NaiveDate = "2026-11-11".parse().unwrap();
        assert_eq!(fr.date(eleventh), "11 novembre 2026");
        let fee = Money::new(125_000, Currency::CAD);
        assert_eq!(en.money(fee), "1,250.00\u{a0}CAD");
        assert_eq!(fr.money(fee), "1\u{a0}250,00\u{a0}CAD");
        assert_eq!(en.money(Money::zero(Currency::XXX)), "–");
    }

    #[test]
    fn a_missing_message_is_an_error_not_a_blank() {
        let en = Messages::new(Language::En);
        assert!(matches!(
            en.get("no-such-message", &[]),
            Err(MessageError::Missing(..))
        ));
        let one = [("count", FluentValue::from(1)), ("count_text", "1".into())];
        assert!(
            matches!(
                en.get("summary-services", &one),
                Err(MessageError::Format { .. })
            ),
            "a message missing its figures is an error"
        );
        let figures: Vec<(&str, FluentValue)> = one
            .into_iter()
            .chain(["on", "near", "off", "unjudged"].map(|k| (k, FluentValue::from("0"))))
            .collect();
        let services = en.get("summary-services", &figures).unwrap();
        assert!(
            services.contains("1 service") && !services.contains("services"),
            "{services}"
        );
    }
}
