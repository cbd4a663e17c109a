//! Names of people in comments, in English and French, found without a model: from cues
//! (a title, a role, a relative, "my name is") and from lists of first names and surnames
//! common in Canada, the United States, the United Kingdom and France.
//!
//! The rule, in order:
//! 1. A run of capitalised words (`Marie`, `Jean-Luc`, `O'Brien`, `Côté`) right after a
//!    strong cue — a title (`Mr`, `Mme`, `Dr`), a role (`agent`, `officer`, `préposée`), a
//!    relative (`my son`, `ma fille`), `named`, `called`, `my name is`, `je m'appelle` — is a
//!    name, up to three words.
//! 2. After a weak cue (`thanks to`, `merci à`, `I am`, `je suis`) and with no cue, a run is
//!    a name when its first word is a listed first name and a second capitalised word
//!    follows, or when it is a listed first name followed by a listed surname; after a weak
//!    cue a listed first name or surname alone is one too. A name joined by "and"/"et" to a
//!    name just masked is one as well ("Kevin and Amira").
//! 3. Never a name: a run after `Saint`, `St`, `Ste`, `Sainte` or a street word (`rue`,
//!    `avenue`), a hyphenated word beginning with `Saint`, a run followed by a place or
//!    organisation word (`Street`, `Drive`, `Office`, `Canada`, `Day`, `Island`…), and a
//!    listed name that is also a common word (`Rose`, `Grant`, `Pierre`, `Will`, `May`…)
//!    unless a strong cue precedes it or a listed surname follows it.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

/// What replaces a name.
pub const NAME_MASK: &str = "[name]";

const FIRST_NAMES: &str = "
aaron abdul abdullah bill mark guy olivier abigail adam adrian ahmad ahmed aidan aiden aisha alain alan albert alex
alexander alexandra alexandre alexis ali alice alicia alison amanda amber amelia amina amir amira
amy ana andre andré andrea andrew angela angelina anita ann anna anne annie anthony antoine
antonio arjun arnaud arthur ashley audrey austin ava barbara baptiste beatrice benjamin benoit
benoît bernard beth betty beverly blake brandon brenda brian brigitte brittany bruce bruno bryan
caleb camille carl carlos carol caroline carolyn catherine cedric cédric chantal charles charlie
charlotte chen chloe chloé chris christian christina christine christopher claire clara claude
colin connor craig cynthia daniel danielle david dean deborah denis denise derek diana diane
dominic dominique donald donna dorothy douglas dylan edward elena elijah elizabeth ella ellen
elodie élodie emily emma emmanuel eric éric erin ethan eva evelyn fatima felix félix fernando
florence francis francois françois frank gabriel gabrielle gary genevieve geneviève george
georges gerald gérald gilles gina gloria gordon grace gregory guillaume hannah harold harry
harpreet heather helen hélène henry hugo ian irene isabelle isaac jack jackson jacob jacqueline
jacques james jamie jan jane janet janice jason jasmine jean jean-claude jean-francois
jean-françois jean-luc jean-marc jean-paul jean-pierre jeff jeffrey jennifer jeremy jérémie
jerry jesse jessica jin joan joanne joe joel john johnny jonathan jordan jose josé joseph
josée joshua joyce juan judith judy julia julie julien justin karen karine kate katherine
kathleen kathryn kayla keith kelly kenneth kevin kim kimberly kyle laura lauren laurent lea léa
leah lee lena leo léo liam linda lisa logan louis louise lucas lucie luc lucy luis luke lynn
madison manon marc marcel margaret maria marie marie-claude marie-eve marie-ève marilyn mario
marion martha martin mary mathieu matthew maxime megan melanie mélanie melissa michael michel
michelle mike mohamed mohammad mohammed monica monique nancy natalie nathalie nathan nicholas
nicolas nicole noah noemie noémie oliver olivia omar pamela pascal patricia patrick paul paula
peter philippe priya rachel rafael rajesh ralph raphael raphaël raymond rebecca richard robert
roger ronald rose ruth ryan sabrina samantha samuel sandra sara sarah scott sean sebastien
sébastien serge sharon shirley simon sofia sophia sophie stephanie stéphanie stephen steven
susan suzanne sylvie tammy teresa theresa thomas timothy tina todd tom tony tyler valerie
valérie vanessa victor victoria vincent virginie walter wayne wei william xavier yannick yves
zachary zoe zoé
";

const SURNAMES: &str = "
adams ahmed allen anderson bailey baker barnes beaulieu bélanger belanger bell bergeron
bernard bisson blais boucher bouchard boudreau brown brunet campbell carter caron chan chen
clark clarke collins cook cooper côté cote cloutier cyr davies davis dion dubois dufour dupont
durand edwards evans fontaine fortin fournier gagné gagne gagnon garcia gauthier gill girard
gonzalez gosselin grant green greenberg hall harris hébert hebert hill hughes jackson james
johnson jones khan kim king lachance lambert landry lapointe lavoie leblanc lebrun leclerc
lee lefebvre lemieux leroy lévesque levesque lewis li liu lopez macdonald mackenzie martin
martinez mercier michaud miller mitchell moore morin morgan murphy nadeau nelson nguyen
o'brien o'connor o'neil ouellet ouellette paquette parent parker patel pelletier perez perreault
phillips poirier proulx richard roberts robertson robinson rodriguez rogers roussel roy
saint-onge savard scott simard singh smith stewart taylor thibault thomas thompson tremblay
turner vaillancourt walker wang white williams wilson wong wood wright young zhang
";

/// Listed names that are also ordinary words (or start place names): a name only with a
/// strong cue or a listed surname after it.
const COMMON_WORDS: &str = "
rose grant pierre will bill hope may june april mark victoria guy faith sandy jean frank
joy grace dean lee martin page king young wood green white bell hill parent roy sky
";

/// Words that make the run before them a place or an organisation.
const PLACE_WORDS: &str = "
street st avenue ave road rd drive dr boulevard blvd lane court crescent way place terrace
parkway highway circle trail square office canada centre center hospital hôpital clinic
park day island lake river bridge station building tower mall market school college
university library church bank post works ontario québec quebec government ministry
department agency service services hall plaza airport
";

/// Capitalised words that are never names (a sentence's first word after "called").
const FUNCTION_WORDS: &str = "
my mon ma mes the le la les un une a an this ce cette our notre your votre i je il elle we nous
they ils it he she his her their leur son sa ses
";

fn words(list: &str) -> HashSet<&str> {
    list.split_whitespace().collect()
}

static FIRST: LazyLock<HashSet<&'static str>> = LazyLock::new(|| words(FIRST_NAMES));
static LAST: LazyLock<HashSet<&'static str>> = LazyLock::new(|| words(SURNAMES));
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| words(COMMON_WORDS));
static PLACES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| words(PLACE_WORDS));
static FUNCTION: LazyLock<HashSet<&'static str>> = LazyLock::new(|| words(FUNCTION_WORDS));

/// A capitalised word: `Marie`, `Jean-Luc`, `O'Brien`, `MacDonald`, `Côté`, `Mr`.
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Lu}[\p{Ll}\p{Lu}]*(?:['’]\p{Lu}[\p{Ll}]+)?(?:-\p{Lu}[\p{Ll}]+)*")
        .expect("valid")
});

/// A strong cue at the end of the text before a name.
static STRONG_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:",
        r"mr|mrs|ms|miss|mx|dr|prof|sir|madam|mme|mlle|mr\.|mrs\.|ms\.|dr\.|m\.|monsieur|madame|mademoiselle|docteur|docteure|doctor|",
        r"agent|agente|officer|clerk|employee|staffer|representative|rep|supervisor|manager|counsellor|counselor|advisor|adviser|nurse|",
        r"conseiller|conseillère|préposé|préposée|prepose|preposee|employé|employée|commis|fonctionnaire|agent\.e|infirmière|infirmier|",
        r"(?:my|our|her|his|their)\s+(?:son|daughter|wife|husband|partner|mother|father|mom|mum|dad|brother|sister|friend|grandson|granddaughter|grandmother|grandfather|child|kid|boy|girl|neighbour|neighbor|baby|nephew|niece|aunt|uncle|cousin)|",
        r"(?:mon|notre|son|leur)\s+(?:fils|mari|père|pere|frère|frere|ami|conjoint|copain|chum|grand-père|petit-fils|neveu|oncle|cousin|voisin|bébé|enfant|beau-père|beau-frère|gendre)|",
        r"(?:ma|notre|sa|leur)\s+(?:fille|femme|mère|mere|sœur|soeur|amie|conjointe|blonde|grand-mère|petite-fille|nièce|niece|tante|cousine|voisine|belle-mère|belle-sœur|belle-soeur|bru)|",
        r"named|called|nommée?|appelée?|my\s+name\s+is|je\s+m['’]appelle|mon\s+nom\s+est",
        r")[\s(]+"
    ))
    .expect("valid")
});

/// A weak cue: a name after it is likely, but a listed first name or surname must say so.
static WEAK_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:thanks?\s+(?:a\s+lot\s+)?to|thank\s+you\s+to|thank\s+you,?|merci\s+(?:beaucoup\s+)?(?:à|a)|merci,?|i\s+am|i['’]m|je\s+suis|c['’]est|spoke\s+(?:to|with)|parlé\s+(?:à|avec)|with|avec|and|et)\s+")
        .expect("valid")
});

/// A word before a run that makes it a place: `Saint Pierre`, `rue Pierre`.
static PLACE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:saint|st|ste|sainte|rue|avenue|av|boulevard|boul|chemin|place|lac|mont|mount|port|fort|cap|pointe|île|ile|the)\.?[\s-]+")
        .expect("valid")
});

/// Where each kind of cue ends in a text: the byte offsets right after it, found in one
/// pass per kind rather than by searching every word's prefix.
struct Cues {
    strong: HashSet<usize>,
    weak: HashSet<usize>,
    place: HashSet<usize>,
}

impl Cues {
    fn of(text: &str) -> Cues {
        let ends = |regex: &Regex| regex.find_iter(text).map(|m| m.end()).collect();
        Cues {
            strong: ends(&STRONG_CUE),
            weak: ends(&WEAK_CUE),
            place: ends(&PLACE_BEFORE),
        }
    }
}

fn lower(word: &str) -> String {
    word.replace('’', "'").to_lowercase()
}

/// The byte spans of the names in `text`.
pub fn find(text: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let words: Vec<(usize, usize)> = WORD
        .find_iter(text)
        .filter(|m| {
            // Whole words only: not the tail of a lower-case word or an acronym's part.
            let before = text[..m.start()].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric())
                && !text[m.end()..].starts_with(|c: char| c.is_alphanumeric())
        })
        .map(|m| (m.start(), m.end()))
        .collect();
    let cues = Cues::of(text);
    let mut i = 0;
    while i < words.len() {
        // A run: capitalised words separated by one space.
        let mut run = vec![words[i]];
        while let Some(&next) = words.get(i + run.len()) {
            let last = *run.last().expect("a run has a word");
            let gap = &text[last.1..next.0];
            // An initial joins the run with its dot: "J. Smith".
            let initial = last.1 - last.0 == 1 && gap == ". ";
            if (gap == " " || initial) && run.len() < 3 {
                run.push(next);
            } else {
                break;
            }
        }
        let advance = run.len();
        // A run may open with its own cue: "Agent Marie Tremblay", "Mme Gagnon".
        if let Some((k, len)) =
            (0..run.len()).find_map(|k| name_in(text, &cues, &run[k..], &spans).map(|len| (k, len)))
        {
            spans.push((run[k].0, run[k + len - 1].1));
        }
        i += advance;
    }
    spans.extend(lower_case_names(text, &cues, &spans));
    spans.sort_unstable();
    spans
}

/// A lower-case word: names written without capitals ("agent tremblay", "ma fille lea").
static LOWER_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Ll}[\p{Ll}'’]*(?:-\p{Ll}+)*").expect("valid"));

/// Names written in lower case: after a cue, the listed first names and surnames that
/// follow it (up to three), and only listed ones, since a lower-case word is usually a word.
fn lower_case_names(text: &str, cues: &Cues, found: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut starts: Vec<usize> = cues.strong.union(&cues.weak).copied().collect();
    starts.sort_unstable();
    for at in starts {
        if !text[at..].starts_with(|c: char| c.is_lowercase()) {
            continue;
        }
        let strong = cues.strong.contains(&at);
        let mut end = at;
        let mut count = 0;
        while count < 3 {
            let rest = &text[end..];
            let rest = if count > 0 {
                rest.strip_prefix(' ').unwrap_or("")
            } else {
                rest
            };
            let Some(word) = LOWER_WORD.find(rest) else {
                break;
            };
            let lowered = lower(word.as_str());
            let listed = FIRST.contains(lowered.as_str()) || LAST.contains(lowered.as_str());
            if !listed || (count == 0 && COMMON.contains(lowered.as_str()) && !strong) {
                break;
            }
            end = text.len() - rest.len() + word.end();
            count += 1;
        }
        if count > 0 && !found.iter().any(|&(s, e)| s < end && at < e) {
            spans.push((at, end));
        }
    }
    spans
}

/// How many words of `run` (from its start) are a name, if any.
fn name_in(
    text: &str,
    cues: &Cues,
    run: &[(usize, usize)],
    masked: &[(usize, usize)],
) -> Option<usize> {
    let at = run[0].0;
    let word = |k: usize| lower(&text[run[k].0..run[k].1]);
    if cues.place.contains(&at) || word(0).starts_with("saint-") || word(0).starts_with("sainte-") {
        return None;
    }
    // Up to the first place or organisation word; a run ending in one is a place.
    let length = (0..run.len())
        .position(|k| PLACES.contains(word(k).as_str()))
        .unwrap_or(run.len());
    if length < run.len() {
        return None;
    }
    let after = &text[run[run.len() - 1].1..];
    if after
        .trim_start()
        .split(|c: char| !c.is_alphabetic())
        .next()
        .is_some_and(|w| PLACES.contains(lower(w).as_str()) && after.starts_with(' '))
    {
        return None;
    }
    let first = word(0);
    let listed_first = FIRST.contains(first.as_str());
    let listed_last = |k: usize| LAST.contains(word(k).as_str());
    let common = COMMON.contains(first.as_str());
    if FUNCTION.contains(first.as_str()) {
        return None;
    }
    if cues.strong.contains(&at) {
        return Some(run.len());
    }
    // A second word that is a listed surname, or any capitalised word after a listed
    // first name that is not also a common word.
    let second_is_word = run.len() >= 2 && text[run[1].0..run[1].1].chars().count() >= 2;
    if second_is_word && listed_first && (listed_last(1) || !common) {
        return Some(run.len());
    }
    let joined = masked.last().is_some_and(|&(_, end)| {
        let gap = lower(text[end..run[0].0].trim());
        gap == "and" || gap == "et" || gap == ","
    });
    if (joined && listed_first)
        || (cues.weak.contains(&at) && !common && (listed_first || listed_last(0)))
    {
        return Some(run.len());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mut out = text.to_string();
        for (start, end) in find(text).into_iter().rev() {
            out.replace_range(start..end, NAME_MASK);
        }
        out
    }

    #[test]
    fn names_go_and_places_stay() {
        assert_eq!(
            masked("Agent Marie Tremblay at counter 3 was rude. My son Jean-Luc Bouchard waited."),
            "Agent [name] at counter 3 was rude. My son [name] waited."
        );
        assert_eq!(masked("Mme Gagnon et Dr Howard"), "Mme [name] et Dr [name]");
        assert_eq!(
            masked("thanks to Kevin and Amira"),
            "thanks to [name] and [name]"
        );
        for clean in [
            "I went to Service Canada in Ottawa",
            "the office on rue Saint-Pierre",
            "a Grant Street office",
            "Will you call me back?",
            "Victoria Day closed the Passport Office",
            "the rose garden near Sussex Drive",
        ] {
            assert_eq!(masked(clean), clean);
        }
    }
}
