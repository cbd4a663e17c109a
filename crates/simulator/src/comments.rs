//! What simulated respondents write: in their own language (French speakers write French),
//! about what happened to them. Late cases write about waiting; other dissatisfied people
//! about staff, forms, phone lines, information, fees, mail or the website (by how they were
//! served); satisfied ones give praise; some write nothing that names a theme ("RAS", "ok").
//! A website outage makes web users write "site en panne", "can't log in", "website down".
//!
//! Comments draw from their own random stream, so adding or changing one never moves the
//! cases, answers and timings of a seed (the figures measured on them hold).

use civicpulse_core::event::Channel;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// Who is writing, and what happened to them.
#[derive(Debug, Clone, Copy)]
pub struct Respondent {
    pub french: bool,
    /// 1–5.
    pub satisfaction: u8,
    /// Business days the case ran late.
    pub lateness: f64,
    pub channel: Channel,
}

/// What a respondent writes, or nothing (most write nothing).
pub fn write(rng: &mut StdRng, who: &Respondent) -> Option<String> {
    let share = match who.satisfaction {
        1 | 2 => 0.45,
        3 => 0.3,
        _ => 0.25,
    };
    if !rng.gen_bool(share) {
        return None;
    }
    let topic = topic(rng, who);
    let texts = texts(topic, who.french);
    let text = texts.choose(rng).expect("every topic has texts");
    let mut comment = fill(rng, text);
    // A few leave contact details, which the gateway scrubs.
    if matches!(topic, Topic::Waiting | Topic::Phone) && rng.gen_bool(0.03) {
        comment.push_str(if who.french {
            " Rappelez-moi au 613-555-0142."
        } else {
            " Please call me back at 613-555-0142."
        });
    }
    Some(comment)
}

/// A comment of someone who met the website during an outage.
pub fn outage(rng: &mut StdRng, french: bool) -> String {
    let texts = if french { OUTAGE_FR } else { OUTAGE_EN };
    texts.choose(rng).expect("non-empty").to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    Waiting,
    Staff,
    Forms,
    Phone,
    Information,
    Fees,
    Mail,
    Website,
    Praise,
    Nothing,
}

fn topic(rng: &mut StdRng, who: &Respondent) -> Topic {
    let late = who.lateness > 0.0;
    if who.satisfaction >= 4 {
        return [
            (Topic::Praise, 70),
            (Topic::Nothing, 20),
            (Topic::Waiting, if late { 10 } else { 2 }),
        ]
        .choose_weighted(rng, |(_, w)| *w)
        .expect("weights")
        .0;
    }
    if late && rng.gen_bool(0.7) {
        return Topic::Waiting;
    }
    let by_channel = match who.channel {
        Channel::Web | Channel::App => Topic::Website,
        Channel::Mail => Topic::Mail,
        Channel::Phone => Topic::Phone,
        Channel::InPerson => Topic::Waiting,
    };
    [
        (Topic::Staff, 20),
        (Topic::Forms, 20),
        (Topic::Phone, 10),
        (Topic::Information, 15),
        (Topic::Fees, 8),
        (by_channel, 15),
        (Topic::Nothing, if who.satisfaction == 3 { 25 } else { 5 }),
    ]
    .choose_weighted(rng, |(_, w)| *w)
    .expect("weights")
    .0
}

/// `{n}` becomes a few (weeks, calls), `{h}` a few hours.
fn fill(rng: &mut StdRng, text: &str) -> String {
    text.replace("{n}", &rng.gen_range(3..=9).to_string())
        .replace("{h}", &rng.gen_range(2..=4).to_string())
}

fn texts(topic: Topic, french: bool) -> &'static [&'static str] {
    match (topic, french) {
        (Topic::Waiting, false) => &[
            "Still waiting after {n} weeks, this is far too slow.",
            "Took {n} weeks longer than promised.",
            "The processing time is way too long, I waited {n} weeks.",
            "Waited {h} hours in line before anyone saw me.",
            "My application is delayed again and the wait is ridiculous.",
        ],
        (Topic::Waiting, true) => &[
            "J'attends toujours après {n} semaines, c'est beaucoup trop long.",
            "Le délai est trop long, j'ai attendu {n} semaines.",
            "J'ai attendu {h} heures en file avant d'être servi.",
            "Mon dossier est en retard, l'attente est interminable.",
        ],
        (Topic::Staff, false) => &[
            "The agent was rude and impatient with me.",
            "Staff were not friendly at all.",
            "The clerk gave me wrong information about my file.",
        ],
        (Topic::Staff, true) => &[
            "L'agente était impolie et impatiente.",
            "Le personnel n'était pas aimable du tout.",
            "On m'a donné une mauvaise information sur mon dossier.",
        ],
        (Topic::Forms, false) => &[
            "Too many documents and forms to fill out.",
            "They asked for the same documents twice.",
            "The application form asks for a guarantor I don't have.",
        ],
        (Topic::Forms, true) => &[
            "Trop de documents et de formulaires à remplir.",
            "On m'a demandé les mêmes documents deux fois.",
            "Le formulaire exige un répondant que je n'ai pas.",
        ],
        (Topic::Phone, false) => &[
            "I called {n} times and could not get through.",
            "On hold for an hour, then the call dropped.",
            "Nobody answers the phone line.",
        ],
        (Topic::Phone, true) => &[
            "J'ai appelé {n} fois sans pouvoir joindre personne.",
            "Une heure en attente au téléphone, puis on a raccroché.",
        ],
        (Topic::Information, false) => &[
            "The instructions were unclear, I could not find the checklist.",
            "Confusing information, nobody told me what to bring.",
        ],
        (Topic::Information, true) => &[
            "Les instructions ne sont pas claires, la liste est introuvable.",
            "Informations confuses, personne ne m'a dit quoi apporter.",
        ],
        (Topic::Fees, false) => &[
            "The fees are too expensive for what it is.",
            "I paid the express fee and got nothing faster.",
        ],
        (Topic::Fees, true) => &[
            "Les frais sont beaucoup trop chers.",
            "J'ai payé les frais express pour rien.",
        ],
        (Topic::Mail, false) => &[
            "My card never arrived in the mail.",
            "The letter was lost in the mail, I had to ask again.",
        ],
        (Topic::Mail, true) => &[
            "Ma carte n'est jamais arrivée par la poste.",
            "La lettre a été perdue par la poste.",
        ],
        (Topic::Website, false) => &[
            "The online form gave me an error at the last step.",
            "The website is hard to use on my phone.",
        ],
        (Topic::Website, true) => &[
            "Le formulaire en ligne affichait une erreur à la fin.",
            "Le site web est difficile à utiliser sur cellulaire.",
        ],
        (Topic::Praise, false) => &[
            "Quick and easy, thank you.",
            "Staff were very helpful and kind.",
            "Great service, well done.",
            "Excellent, everything was clear.",
        ],
        (Topic::Praise, true) => &[
            "Rapide et facile, merci!",
            "Personnel très aimable, merci beaucoup.",
            "Excellent service, bravo.",
            "Parfait, tout était clair.",
        ],
        (Topic::Nothing, false) => &["ok", "Nothing to add.", "No comment.", "n/a"],
        (Topic::Nothing, true) => &["RAS", "Rien à ajouter.", "Aucun commentaire.", "ça va"],
    }
}

const OUTAGE_EN: &[&str] = &[
    "Website down all day, can't log in.",
    "Can't log in to my account, the site keeps crashing.",
    "The website is down, I couldn't submit my application.",
    "Site down again, error page every time.",
    "I can't log in, the page won't load.",
];

const OUTAGE_FR: &[&str] = &[
    "Site en panne, impossible de me connecter.",
    "Le site est en panne depuis ce matin.",
    "Site en panne, impossible de payer en ligne.",
    "Je ne peux pas me connecter, le site plante.",
];

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn many(who: Respondent) -> Vec<String> {
        let mut rng = StdRng::seed_from_u64(3);
        (0..2000).filter_map(|_| write(&mut rng, &who)).collect()
    }

    const LATE_FRENCH: Respondent = Respondent {
        french: true,
        satisfaction: 2,
        lateness: 6.0,
        channel: Channel::InPerson,
    };

    #[test]
    fn people_write_in_their_language_about_what_happened() {
        let late = many(LATE_FRENCH);
        let about_waiting = late
            .iter()
            .filter(|c| c.contains("attend") || c.contains("délai") || c.contains("retard"))
            .count();
        assert!(
            about_waiting * 10 >= late.len() * 6,
            "{about_waiting} of {}",
            late.len()
        );
        assert!(late.iter().all(|c| !c.contains(" the ")), "French only");
        let happy = many(Respondent {
            french: false,
            satisfaction: 5,
            lateness: 0.0,
            channel: Channel::Web,
        });
        let praise = happy
            .iter()
            .filter(|c| {
                ["thank", "Great", "Excellent", "helpful"]
                    .iter()
                    .any(|w| c.contains(w))
            })
            .count();
        assert!(
            praise * 10 >= happy.len() * 6,
            "{praise} of {}",
            happy.len()
        );
        // Some write nothing a theme names.
        assert!(happy.iter().any(|c| c == "ok" || c == "No comment."));
        // The dissatisfied write more often than the satisfied.
        assert!(late.len() > happy.len());
    }

    #[test]
    fn the_same_stream_writes_the_same_comments() {
        assert_eq!(many(LATE_FRENCH), many(LATE_FRENCH));
    }
}
