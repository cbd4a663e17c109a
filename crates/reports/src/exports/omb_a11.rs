//! The US OMB Circular A-11 §280 quarterly CX summary: one row per service × transaction
//! point × channel × federal fiscal quarter, with the customers, those offered the survey
//! and the respondents, and for the seven A-11 items in driver order the item's text and
//! how many respondents gave each point 1–5. Counts, never only a mean.
//!
//! The layout is GSA Touchpoints' per-point summary (`omb_cx_reporting_collections`:
//! `service_provided`, `transaction_point`, `channel`, the three volumes, `qN_text`,
//! `qN_1` … `qN_5`), the one A-11 layout that carries answer counts of the seven Likert
//! items. The current quarterly collection (Touchpoints' CX Collection Details) keeps the
//! volumes under the same names but takes answers as one row per respondent with a
//! thumbs or 1–5 first question and positive/negative driver flags, which the Likert items
//! collected here cannot give; its controlled `channel` codes are followed.
//!
//! Offers and answers are joined on the same transaction point and channel, so each row's
//! respondents answered the survey its customers were offered (see [`rows`]).

use std::collections::BTreeMap;

use civicpulse_core::catalog::UNSPECIFIED_STAGE;
use civicpulse_core::dimension::Question;
use civicpulse_core::event::Channel;
use civicpulse_core::Service;
use civicpulse_store::tables::feedback::AnswerCounts;
use civicpulse_store::tables::offered::OfferVolumes;

use std::fmt;

use civicpulse_core::fiscal_year::FiscalYear;

/// A US federal fiscal quarter: the row's `fiscal_year` is the year it ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: FiscalYear,
    pub number: u32,
}

impl fmt::Display for Quarter {
    /// `FY2027-Q1`, as the circular and Touchpoints name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}-Q{}", self.year.end_year(), self.number)
    }
}

/// The leading columns; then `qN_text, qN_1 … qN_5` for N = 1…7.
const LEADING: [&str; 9] = [
    "fiscal_year",
    "quarter",
    "service_id",
    "service_provided",
    "transaction_point",
    "channel",
    "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity",
    "volume_of_respondents",
];

/// The A-11 items, worded as the circular asks them (without rewording), in driver order:
/// satisfaction, trust, effectiveness, ease, efficiency, transparency/equity, employee.
pub fn item_text(question: Question, agency: &str) -> String {
    match question {
        Question::Satisfaction => {
            format!("I am satisfied with the service I received from {agency}.")
        }
        Question::Trust => format!("This interaction increased my confidence in {agency}."),
        Question::NeedMet => "My need was addressed.".to_string(),
        Question::Ease => "It was easy to complete what I needed to do.".to_string(),
        Question::TimeReasonable => {
            "It took a reasonable amount of time to do what I needed to do.".to_string()
        }
        Question::Fair => "I was treated fairly.".to_string(),
        Question::HelpfulStaff => "Employees I interacted with were helpful.".to_string(),
    }
}

pub fn columns() -> Vec<String> {
    let mut columns: Vec<String> = LEADING.iter().map(|c| c.to_string()).collect();
    for n in 1..=Question::ALL.len() {
        columns.push(format!("q{n}_text"));
        columns.extend((1..=5).map(|p| format!("q{n}_{p}")));
    }
    columns
}

/// The channel code of Touchpoints' CX collection (`website`, `mobile_app`, `phone`,
/// `in_person`, `postal_mail`, …) for a catalog channel.
pub fn channel_code(channel: Channel) -> &'static str {
    match channel {
        Channel::Web => "website",
        Channel::App => "mobile_app",
        Channel::Phone => "phone",
        Channel::InPerson => "in_person",
        Channel::Mail => "postal_mail",
    }
}

/// One row's figures before it is written.
#[derive(Debug, Default, Clone)]
struct Tally {
    customers: u64,
    offered: u64,
    respondents: u64,
    points: Vec<u64>,
}

impl Tally {
    fn add_offers(&mut self, v: &OfferVolumes) {
        self.customers += v.transactions;
        self.offered += v.surveys_offered;
    }

    fn add_answers(&mut self, a: &AnswerCounts) {
        self.respondents += a.responses;
        add_points(&mut self.points, &a.points);
    }
}

fn add_points(into: &mut Vec<u64>, points: &[u64]) {
    if into.len() < points.len() {
        into.resize(points.len(), 0);
    }
    for (total, n) in into.iter_mut().zip(points) {
        *total += n;
    }
}

/// A service's rows for `quarter`, and what was left out of them.
pub struct ServiceRows {
    pub rows: Vec<Vec<String>>,
    pub left_out: Vec<String>,
}

/// One service's rows for `quarter`.
///
/// An event's stage is client text: it names a row only when the catalog lists it in the
/// service's `stages`. Per channel, a listed stage has its own row when both offers and
/// answers name it; everything else on that channel (unlisted stages, no stage, a stage
/// only one side names) is pooled into one `unspecified` row, so no row counts answers
/// to offers it does not count, and the channel's totals are kept. Answers that name no
/// channel (page feedback through the widget or the form) answered no offered survey:
/// they are left out, and said so.
pub fn rows(
    service: &Service,
    quarter: Quarter,
    volumes: &[OfferVolumes],
    answers: &[AnswerCounts],
) -> ServiceRows {
    let mut left_out = Vec::new();
    let channel_index = |text: &str| {
        text.parse::<Channel>()
            .ok()
            .and_then(|c| Channel::ALL.iter().position(|a| *a == c))
    };
    // The catalog's spelling of a listed stage, so no client text reaches a key.
    let key_stage = |stage: &str| -> &str {
        service
            .stages
            .iter()
            .find(|s| *s == stage)
            .map_or(UNSPECIFIED_STAGE, String::as_str)
    };
    // (channel's index in `Channel::ALL`, stage) → offers, and → answers.
    let mut offer_keys: BTreeMap<(usize, &str), Tally> = BTreeMap::new();
    let mut answer_keys: BTreeMap<(usize, &str), Tally> = BTreeMap::new();
    for v in volumes {
        match channel_index(&v.channel) {
            Some(c) => offer_keys
                .entry((c, key_stage(&v.stage)))
                .or_default()
                .add_offers(v),
            None => left_out.push(format!(
                "{}: {} transactions on channel `{}`, which is not a catalog channel",
                service.id, v.transactions, v.channel
            )),
        }
    }
    let mut channelless = 0;
    for a in answers {
        match channel_index(&a.channel) {
            Some(c) => answer_keys
                .entry((c, key_stage(&a.stage)))
                .or_default()
                .add_answers(a),
            None => channelless += a.responses,
        }
    }
    if channelless > 0 {
        left_out.push(format!(
            "{}: {channelless} responses name no channel (page feedback through the widget \
             or the form, not answers to an offered survey)",
            service.id
        ));
    }
    // A-11 names the agency in two items; a bilingual title ("English | French") by its
    // English part.
    let agency = service
        .owner_org_title
        .as_deref()
        .and_then(|title| title.split(" | ").next())
        .unwrap_or("this agency");
    let mut rows = Vec::new();
    for (c, channel) in Channel::ALL.iter().enumerate() {
        let mut pooled: Option<Tally> = None;
        let mut own: Vec<(&str, Tally)> = Vec::new();
        for stage in &service.stages {
            let key = (c, stage.as_str());
            match (offer_keys.remove(&key), answer_keys.remove(&key)) {
                (Some(mut tally), Some(a)) => {
                    merge(&mut tally, a);
                    own.push((stage, tally));
                }
                (o, a) => {
                    for t in [o, a].into_iter().flatten() {
                        merge(pooled.get_or_insert_with(Tally::default), t);
                    }
                }
            }
        }
        let key = (c, UNSPECIFIED_STAGE);
        for t in [offer_keys.remove(&key), answer_keys.remove(&key)]
            .into_iter()
            .flatten()
        {
            merge(pooled.get_or_insert_with(Tally::default), t);
        }
        let pooled = pooled.map(|t| (UNSPECIFIED_STAGE, t));
        for (stage, tally) in own.into_iter().chain(pooled) {
            rows.push(row(service, quarter, agency, stage, *channel, &tally));
        }
    }
    ServiceRows { rows, left_out }
}

fn merge(into: &mut Tally, t: Tally) {
    into.customers += t.customers;
    into.offered += t.offered;
    into.respondents += t.respondents;
    add_points(&mut into.points, &t.points);
}

fn row(
    service: &Service,
    quarter: Quarter,
    agency: &str,
    stage: &str,
    channel: Channel,
    tally: &Tally,
) -> Vec<String> {
    let mut row = vec![
        quarter.year.end_year().to_string(),
        quarter.number.to_string(),
        service.id.clone(),
        service.name.clone(),
        stage.to_string(),
        channel_code(channel).to_string(),
        tally.customers.to_string(),
        tally.offered.to_string(),
        tally.respondents.to_string(),
    ];
    for (q, question) in Question::ALL.iter().enumerate() {
        row.push(item_text(*question, agency));
        for point in 0..5 {
            let n = tally.points.get(q * 5 + point).copied().unwrap_or(0);
            row.push(n.to_string());
        }
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(stages: &str) -> Service {
        toml::from_str(&format!(
            r#"
            id = "s"
            name = "S"
            category = "c"
            jurisdiction = "US"
            channels = ["web", "in_person"]
            time_zone = "America/New_York"
            calendar = "us"
            stages = [{stages}]
            "#
        ))
        .unwrap()
    }

    fn quarter() -> Quarter {
        Quarter {
            year: FiscalYear::ending(civicpulse_core::fiscal_year::FiscalYearStart::OCTOBER, 2027),
            number: 1,
        }
    }

    fn offers(stage: &str, channel: &str, transactions: u64, offered: u64) -> OfferVolumes {
        OfferVolumes {
            stage: stage.into(),
            channel: channel.into(),
            transactions,
            surveys_offered: offered,
        }
    }

    /// `responses` answers, each giving satisfaction 5 and trust 1.
    fn answered(stage: &str, channel: &str, responses: u64) -> AnswerCounts {
        let mut points = vec![0; 35];
        points[4] = responses;
        points[5] = responses;
        AnswerCounts {
            stage: stage.into(),
            channel: channel.into(),
            responses,
            points,
        }
    }

    /// The leading cells of each row: transaction point, channel and the three volumes.
    fn volumes(rows: &ServiceRows) -> Vec<[&str; 5]> {
        rows.rows
            .iter()
            .map(|r| [&*r[4], &*r[5], &*r[6], &*r[7], &*r[8]])
            .collect()
    }

    #[test]
    fn columns_follow_the_template_and_answers_are_counted_per_point() {
        let columns = columns();
        assert_eq!(columns.len(), 9 + 7 * 6);
        assert_eq!(columns[9], "q1_text");
        assert_eq!(&columns[10..15], ["q1_1", "q1_2", "q1_3", "q1_4", "q1_5"]);
        assert_eq!(columns.last().unwrap(), "q7_5");
        assert_eq!(quarter().to_string(), "FY2027-Q1");
        let rows = rows(
            &service(""),
            quarter(),
            &[offers("", "web", 10, 6)],
            &[answered("", "web", 3)],
        );
        assert_eq!(rows.rows.len(), 1);
        let row = &rows.rows[0];
        assert_eq!(
            &row[..9],
            [
                "2027",
                "1",
                "s",
                "S",
                "unspecified",
                "website",
                "10",
                "6",
                "3"
            ]
        );
        assert!(row[9].starts_with("I am satisfied"));
        assert_eq!(&row[10..15], ["0", "0", "0", "0", "3"]);
        assert_eq!(&row[16..21], ["3", "0", "0", "0", "0"]);
    }

    /// The issue's case: offers carry no stage, answers their stage. They meet on one row
    /// per channel, whose respondents answered the survey its customers were offered.
    #[test]
    fn offers_and_answers_on_different_stages_share_one_row_per_channel() {
        let rows = rows(
            &service("\"outcome\""),
            quarter(),
            &[offers("", "web", 100, 80), offers("", "in_person", 50, 50)],
            &[
                answered("outcome", "web", 20),
                answered("outcome", "in_person", 5),
            ],
        );
        assert_eq!(
            volumes(&rows),
            [
                ["unspecified", "website", "100", "80", "20"],
                ["unspecified", "in_person", "50", "50", "5"],
            ]
        );
        assert!(rows.left_out.is_empty(), "{:?}", rows.left_out);
    }

    /// A listed stage both sides name has its own row; unlisted stages (a client's free
    /// text) and stages one side names alone are pooled, never written as sent.
    #[test]
    fn only_listed_stages_named_by_both_sides_have_rows_of_their_own() {
        let rows = rows(
            &service("\"application\", \"outcome\""),
            quarter(),
            &[
                offers("application", "web", 100, 90),
                offers("outcome", "web", 40, 40),
                offers("Nobody-called-me-back", "web", 7, 7),
            ],
            &[
                answered("application", "web", 30),
                answered("decision", "web", 4),
                answered("Nobody-called-me-back", "web", 1),
            ],
        );
        assert_eq!(
            volumes(&rows),
            [
                ["application", "website", "100", "90", "30"],
                ["unspecified", "website", "47", "47", "5"],
            ]
        );
        assert!(rows
            .rows
            .iter()
            .all(|r| !r.iter().any(|cell| cell.contains("Nobody"))));
    }

    #[test]
    fn channels_are_the_collections_codes_and_answers_without_one_are_left_out() {
        assert_eq!(
            Channel::ALL.map(channel_code),
            ["website", "mobile_app", "phone", "in_person", "postal_mail"]
        );
        let rows = rows(
            &service(""),
            quarter(),
            &[offers("", "mail", 12, 12), offers("", "app", 8, 4)],
            &[answered("", "", 2), answered("", "mail", 3)],
        );
        assert_eq!(
            volumes(&rows),
            [
                ["unspecified", "mobile_app", "8", "4", "0"],
                ["unspecified", "postal_mail", "12", "12", "3"],
            ]
        );
        assert_eq!(rows.left_out.len(), 1, "{:?}", rows.left_out);
        assert!(
            rows.left_out[0].contains("2 responses name no channel"),
            "{:?}",
            rows.left_out
        );
    }
}
