//! What the widget, the form and its answer pages say, in English and French. The page's
//! language decides (`lang` on the page for the widget, `?lang=` for the form); anything
//! but French is English.

use serde::Serialize;

/// The language the public pages speak is the one reports are written in.
pub use civicpulse_core::config::Language;

/// The texts of `lang`.
pub fn texts(lang: Language) -> &'static Texts {
    match lang {
        Language::En => &EN,
        Language::Fr => &FR,
    }
}

/// Every sentence shown to a person.
#[derive(Debug, Serialize)]
pub struct Texts {
    pub title: &'static str,
    pub question: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    /// Asked after "No": why the page did not help, each reason's code and label.
    pub reason_label: &'static str,
    pub reasons: [(&'static str, &'static str); 4],
    pub comment_label: &'static str,
    pub comment_hint: &'static str,
    pub send: &'static str,
    pub thanks: &'static str,
    pub thanks_detail: &'static str,
    pub honeypot_label: &'static str,
    pub error_title: &'static str,
    /// What a person can do about a refusal, one sentence per [`super::Advice`] (named
    /// like its code, so the widget looks it up by the code the gateway answers).
    pub choose_answer: &'static str,
    pub answer_something: &'static str,
    pub comment_too_long: &'static str,
    pub busy: &'static str,
    pub not_recorded: &'static str,
    /// The survey page of an invitation.
    pub survey_title: &'static str,
    pub survey_intro: &'static str,
    /// OMB Circular A-11 §280's customer experience items, in `Question` order: the one
    /// wording of each item, on the one (agreement) scale, wherever it is asked (the
    /// widget, the form, the survey), so answers stored in one field mean one thing.
    pub items: [(&'static str, &'static str); 7],
    pub agree_scale: [&'static str; 5],
    /// The demo page (`/demo`): the gateway's own host page for the widget.
    pub demo_intro: &'static str,
    pub demo_form_link: &'static str,
    pub already_answered: &'static str,
    pub link_invalid: &'static str,
    pub link_expired: &'static str,
}

pub static EN: Texts = Texts {
    title: "Page feedback",
    question: "Did you find what you were looking for?",
    yes: "Yes",
    no: "No",
    reason_label: "What was wrong? (optional)",
    reasons: [
        ("cannot_find", "I can't find the information"),
        ("hard_to_understand", "The information is hard to understand"),
        ("something_broken", "There was an error or something didn't work"),
        ("other", "Another reason"),
    ],
    comment_label: "What could we do better? (optional)",
    comment_hint: "Do not include personal information such as your name, email or case number. We cannot reply.",
    send: "Send",
    thanks: "Thank you for your feedback.",
    thanks_detail: "It helps us improve this service.",
    honeypot_label: "Leave this field empty",
    error_title: "Your feedback was not sent",
    choose_answer: "Please choose Yes or No.",
    answer_something: "Please answer at least one question or leave a comment.",
    comment_too_long: "Please keep your comment under 2000 characters.",
    busy: "Too many submissions from here. Please try again in a minute.",
    not_recorded: "Your feedback could not be recorded just now. Please try again later.",
    survey_title: "How was your service?",
    survey_intro: "Your answers are anonymous and help us improve. Every question is optional.",
    items: [
        ("satisfaction", "I am satisfied with the service I received."),
        ("trust", "This interaction increased my confidence in this organization."),
        ("need_met", "My need was addressed."),
        ("ease", "It was easy to complete what I needed to do."),
        ("time_reasonable", "It took a reasonable amount of time to do what I needed to do."),
        ("fair", "I was treated fairly."),
        ("helpful_staff", "Employees I interacted with were helpful."),
    ],
    agree_scale: ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
    already_answered: "This survey has already been answered. Thank you.",
    link_invalid: "This survey link is not valid. Please use the link exactly as you received it.",
    link_expired: "This survey link has expired.",
    demo_intro: "A demonstration page with the feedback widget, as a service's information page would embed it (development only).",
    demo_form_link: "The same questions without JavaScript",
};

pub static FR: Texts = Texts {
    title: "Rétroaction sur la page",
    question: "Avez-vous trouvé ce que vous cherchiez?",
    yes: "Oui",
    no: "Non",
    reason_label: "Quel était le problème? (facultatif)",
    reasons: [
        ("cannot_find", "Je ne trouve pas l'information"),
        ("hard_to_understand", "L'information est difficile à comprendre"),
        ("something_broken", "Il y a eu une erreur ou quelque chose n'a pas fonctionné"),
        ("other", "Une autre raison"),
    ],
    comment_label: "Que pourrions-nous améliorer? (facultatif)",
    comment_hint: "N'incluez pas de renseignements personnels comme votre nom, courriel ou numéro de dossier. Nous ne pouvons pas répondre.",
    send: "Envoyer",
    thanks: "Merci de votre rétroaction.",
    thanks_detail: "Elle nous aide à améliorer ce service.",
    honeypot_label: "Laissez ce champ vide",
    error_title: "Votre rétroaction n'a pas été envoyée",
    choose_answer: "Veuillez choisir Oui ou Non.",
    answer_something: "Veuillez répondre à au moins une question ou laisser un commentaire.",
    comment_too_long: "Veuillez limiter votre commentaire à 2000 caractères.",
    busy: "Trop d'envois d'ici. Veuillez réessayer dans une minute.",
    not_recorded: "Nous n'avons pas pu enregistrer votre rétroaction pour le moment. Veuillez réessayer plus tard.",
    survey_title: "Comment s'est passé votre service?",
    survey_intro: "Vos réponses sont anonymes et nous aident à nous améliorer. Chaque question est facultative.",
    items: [
        ("satisfaction", "Je suis satisfait du service que j'ai reçu."),
        ("trust", "Cette interaction a accru ma confiance envers cette organisation."),
        ("need_met", "Mon besoin a été satisfait."),
        ("ease", "Il a été facile de faire ce que j'avais à faire."),
        ("time_reasonable", "Le temps requis pour faire ce que j'avais à faire était raisonnable."),
        ("fair", "J'ai été traité équitablement."),
        ("helpful_staff", "Les employés avec qui j'ai interagi ont été serviables."),
    ],
    agree_scale: ["Fortement en désaccord", "En désaccord", "Ni d'accord ni en désaccord", "D'accord", "Fortement d'accord"],
    already_answered: "Ce sondage a déjà été rempli. Merci.",
    link_invalid: "Ce lien de sondage n'est pas valide. Veuillez utiliser le lien tel que vous l'avez reçu.",
    link_expired: "Ce lien de sondage est expiré.",
    demo_intro: "Une page de démonstration avec le widget de rétroaction, tel qu'une page d'information sur un service l'intégrerait (développement seulement).",
    demo_form_link: "Les mêmes questions sans JavaScript",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_pages_get_french_and_everything_else_english() {
        assert_eq!(Language::from_code(Some("fr-CA")), Language::Fr);
        assert_eq!(Language::from_code(Some("FR")), Language::Fr);
        assert_eq!(Language::from_code(Some("en-CA")), Language::En);
        assert_eq!(Language::from_code(Some("de")), Language::En);
        assert_eq!(Language::from_code(None), Language::En);
        assert_eq!(texts(Language::Fr).yes, "Oui");
    }

    #[test]
    fn both_languages_say_every_sentence() {
        let en = serde_json::to_value(&EN).unwrap();
        let fr = serde_json::to_value(&FR).unwrap();
        for (key, value) in en.as_object().unwrap() {
            assert_ne!(fr[key], *value, "{key} is not translated");
        }
    }
}
