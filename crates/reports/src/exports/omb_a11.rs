//! The US OMB Circular A-11 §280 quarterly CX summary, as GSA Touchpoints records it: one
//! row per service × transaction point (the event's `stage`) × channel × federal fiscal
//! quarter, with the volumes and, for the seven drivers in A-11 order, the item's text
//! and how many respondents gave each point 1–5. Counts, never only a mean.

use civicpulse_core::dimension::Question;
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

/// A transaction point or channel as the export names it: feedback from the widget or the
/// form declares no channel (the person did not say how they were served), nor does every
/// case system a stage.
fn or_unspecified(value: &str) -> String {
    if value.is_empty() {
        "unspecified".to_string()
    } else {
        value.to_string()
    }
}

/// One service's rows for `quarter`: every (stage, channel) with transactions or answers.
pub fn rows(
    service: &Service,
    quarter: Quarter,
    volumes: &[OfferVolumes],
    answers: &[AnswerCounts],
) -> Vec<Vec<String>> {
    let mut keys: Vec<(&str, &str)> = volumes
        .iter()
        .map(|v| (v.stage.as_str(), v.channel.as_str()))
        .chain(
            answers
                .iter()
                .map(|a| (a.stage.as_str(), a.channel.as_str())),
        )
        .collect();
    keys.sort_unstable();
    keys.dedup();
    // A bilingual title ("English | French") is named by its English part.
    let agency = service
        .owner_org_title
        .as_deref()
        .and_then(|title| title.split(" | ").next())
        .unwrap_or("this agency");
    keys.into_iter()
        .map(|(stage, channel)| {
            let volume = volumes
                .iter()
                .find(|v| v.stage == stage && v.channel == channel);
            let counts = answers
                .iter()
                .find(|a| a.stage == stage && a.channel == channel);
            let mut row = vec![
                quarter.year.end_year().to_string(),
                quarter.number.to_string(),
                service.id.clone(),
                service.name.clone(),
                or_unspecified(stage),
                or_unspecified(channel),
                volume.map_or(0, |v| v.transactions).to_string(),
                volume.map_or(0, |v| v.surveys_offered).to_string(),
                counts.map_or(0, |a| a.responses).to_string(),
            ];
            for (q, question) in Question::ALL.iter().enumerate() {
                row.push(item_text(*question, agency));
                for point in 0..5 {
                    let n = counts.map_or(0, |a| a.points.get(q * 5 + point).copied().unwrap_or(0));
                    row.push(n.to_string());
                }
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_template_and_answers_are_counted_per_point() {
        let columns = columns();
        assert_eq!(columns.len(), 9 + 7 * 6);
        assert_eq!(columns[9], "q1_text");
        assert_eq!(&columns[10..15], ["q1_1", "q1_2", "q1_3", "q1_4", "q1_5"]);
        assert_eq!(columns.last().unwrap(), "q7_5");
        let service: Service = toml::from_str(
            r#"
            id = "s"
            name = "S"
            category = "c"
            jurisdiction = "US"
            channels = ["web"]
            time_zone = "America/New_York"
            calendar = "us"
            "#,
        )
        .unwrap();
        let quarter = Quarter {
            year: FiscalYear::ending(civicpulse_core::fiscal_year::FiscalYearStart::OCTOBER, 2027),
            number: 1,
        };
        assert_eq!(quarter.to_string(), "FY2027-Q1");
        let mut points = vec![0; 35];
        points[4] = 3; // satisfaction: three fives
        points[5] = 1; // trust: one 1
        let rows = rows(
            &service,
            quarter,
            &[OfferVolumes {
                stage: "".into(),
                channel: "web".into(),
                transactions: 10,
                surveys_offered: 6,
            }],
            &[AnswerCounts {
                stage: "".into(),
                channel: "web".into(),
                responses: 3,
                points,
            }],
        );
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(
            &row[..9],
            ["2027", "1", "s", "S", "unspecified", "web", "10", "6", "3"]
        );
        assert!(row[9].starts_with("I am satisfied"));
        assert_eq!(&row[10..15], ["0", "0", "0", "0", "3"]);
        assert_eq!(&row[16..21], ["1", "0", "0", "0", "0"]);

        // Page feedback about the service declares no channel: a row of its own, named.
        let undeclared = super::rows(
            &service,
            quarter,
            &[],
            &[AnswerCounts {
                stage: "".into(),
                channel: "".into(),
                responses: 2,
                points: vec![0; 35],
            }],
        );
        assert_eq!(
            &undeclared[0][..9],
            [
                "2027",
                "1",
                "s",
                "S",
                "unspecified",
                "unspecified",
                "0",
                "0",
                "2"
            ]
        );
    }
}
