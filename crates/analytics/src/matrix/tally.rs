//! The sums a slice of the matrix rests on (one service, one group, one period or time
//! bucket), as read from the daily rollups. Every dimension is a pure function of a tally,
//! and tallies add up, so peers can be pooled and days summed in any order.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use civicpulse_core::dimension::{Question, TOP2_FROM};

/// Answers to one question: count, sum, sum of squares, and answers of 4 or 5.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuestionSums {
    pub n: u64,
    pub sum: u64,
    pub sum_of_squares: u64,
    pub top2: u64,
}

impl QuestionSums {
    /// Sums of a list of 1–5 answers (for tests and independent checks).
    pub fn of(answers: &[u8]) -> QuestionSums {
        let mut sums = QuestionSums::default();
        for &answer in answers {
            sums.add_answer(answer);
        }
        sums
    }

    pub fn add_answer(&mut self, answer: u8) {
        let answer = u64::from(answer);
        self.n += 1;
        self.sum += answer;
        self.sum_of_squares += answer * answer;
        self.top2 += u64::from(answer >= u64::from(TOP2_FROM));
    }
}

impl AddAssign for QuestionSums {
    fn add_assign(&mut self, other: QuestionSums) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_of_squares += other.sum_of_squares;
        self.top2 += other.top2;
    }
}

/// One segment group's figures, for the equity gaps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentSums {
    pub satisfaction: QuestionSums,
    /// Responses whose case closed within / beyond its standard.
    pub linked_met: u64,
    pub linked_breached: u64,
}

impl AddAssign for SegmentSums {
    fn add_assign(&mut self, other: SegmentSums) {
        self.satisfaction += other.satisfaction;
        self.linked_met += other.linked_met;
        self.linked_breached += other.linked_breached;
    }
}

/// A closed case's outcome against its standard, as the rollups link it to responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaOutcome {
    Met,
    Breached,
    /// Open, not linked to a case, or the service has no standard.
    Unknown,
}

impl SlaOutcome {
    /// From a stored SLA status: only a closed case's outcome links.
    pub fn parse(text: &str) -> SlaOutcome {
        match text.parse() {
            Ok(civicpulse_core::sla::Status::Met) => SlaOutcome::Met,
            Ok(civicpulse_core::sla::Status::Breached) => SlaOutcome::Breached,
            _ => SlaOutcome::Unknown,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub responses: u64,
    /// In `Question::ALL` order.
    pub questions: [QuestionSums; 7],
    pub satisfaction_when_met: QuestionSums,
    pub satisfaction_when_breached: QuestionSums,
    pub transactions: u64,
    pub surveys_offered: u64,
    pub digital_transactions: u64,
    pub cases_received: u64,
    pub cases_decided: u64,
    pub decisions_error_or_rework: u64,
    /// Closed cases by elapsed days: (met, breached).
    pub elapsed_days: BTreeMap<i64, (u64, u64)>,
    /// Segment groups by (attribute, group), e.g. ("age_band", "75_plus"); filled for whole
    /// services only.
    pub segments: BTreeMap<(String, String), SegmentSums>,
    /// What the period cost, from the catalog (not from the rollups): set by the matrix
    /// for a whole service's period, never summed with another tally's.
    pub cost: Option<f64>,
}

impl Tally {
    pub fn question(&self, question: Question) -> QuestionSums {
        self.questions[question_index(question)]
    }

    /// Adds responses that share one SLA outcome, with their per-question sums.
    pub fn add_responses(
        &mut self,
        outcome: SlaOutcome,
        responses: u64,
        questions: [QuestionSums; 7],
    ) {
        self.responses += responses;
        for (total, sums) in self.questions.iter_mut().zip(questions) {
            *total += sums;
        }
        let satisfaction = questions[question_index(Question::Satisfaction)];
        match outcome {
            SlaOutcome::Met => self.satisfaction_when_met += satisfaction,
            SlaOutcome::Breached => self.satisfaction_when_breached += satisfaction,
            SlaOutcome::Unknown => {}
        }
    }

    /// Adds a segment group's responses that share one SLA outcome.
    pub fn add_segment(
        &mut self,
        attribute: &str,
        group: &str,
        outcome: SlaOutcome,
        responses: u64,
        satisfaction: QuestionSums,
    ) {
        let entry = self
            .segments
            .entry((attribute.to_string(), group.to_string()))
            .or_default();
        entry.satisfaction += satisfaction;
        match outcome {
            SlaOutcome::Met => entry.linked_met += responses,
            SlaOutcome::Breached => entry.linked_breached += responses,
            SlaOutcome::Unknown => {}
        }
    }

    pub fn closed_cases(&self) -> (u64, u64) {
        self.elapsed_days
            .values()
            .fold((0, 0), |(met, breached), (m, b)| (met + m, breached + b))
    }
}

pub fn question_index(question: Question) -> usize {
    Question::ALL
        .iter()
        .position(|q| *q == question)
        .expect("every question is in ALL")
}

impl AddAssign<&Tally> for Tally {
    fn add_assign(&mut self, other: &Tally) {
        self.responses += other.responses;
        for (total, sums) in self.questions.iter_mut().zip(other.questions) {
            *total += sums;
        }
        self.satisfaction_when_met += other.satisfaction_when_met;
        self.satisfaction_when_breached += other.satisfaction_when_breached;
        self.transactions += other.transactions;
        self.surveys_offered += other.surveys_offered;
        self.digital_transactions += other.digital_transactions;
        self.cases_received += other.cases_received;
        self.cases_decided += other.cases_decided;
        self.decisions_error_or_rework += other.decisions_error_or_rework;
        for (days, (met, breached)) in &other.elapsed_days {
            let entry = self.elapsed_days.entry(*days).or_default();
            entry.0 += met;
            entry.1 += breached;
        }
        for (key, sums) in &other.segments {
            *self.segments.entry(key.clone()).or_default() += *sums;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_add_up_in_any_order() {
        let mut a = Tally::default();
        let mut questions = [QuestionSums::default(); 7];
        questions[0] = QuestionSums::of(&[5, 4, 1]);
        a.add_responses(SlaOutcome::Met, 3, questions);
        a.elapsed_days.insert(3, (2, 0));
        let mut b = Tally::default();
        b.add_responses(SlaOutcome::Breached, 3, questions);
        b.elapsed_days.insert(3, (0, 1));
        b.add_segment("age_band", "75_plus", SlaOutcome::Breached, 3, questions[0]);

        let mut ab = a.clone();
        ab += &b;
        let mut ba = b.clone();
        ba += &a;
        assert_eq!(ab, ba);
        assert_eq!(ab.responses, 6);
        assert_eq!(ab.question(Question::Satisfaction).top2, 4);
        assert_eq!(ab.satisfaction_when_met.n, 3);
        assert_eq!(ab.satisfaction_when_breached.sum, 10);
        assert_eq!(ab.closed_cases(), (2, 1));
        assert_eq!(
            ab.segments[&("age_band".to_string(), "75_plus".to_string())].linked_breached,
            3
        );
    }
}
