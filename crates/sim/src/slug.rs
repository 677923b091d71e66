//! URL slugs made from questions: lower-case ASCII letters, digits and single hyphens, at most
//! [`SLUG_MAX`] characters, cut at a word boundary, unique within a set. Accented Latin letters
//! are transliterated ("Álvarez" is "alvarez"); every other character separates words, so the
//! slug reads like the question.

use std::collections::BTreeSet;

pub use augury_catalog::limits::SLUG_MAX;

/// The ASCII spelling of a lower-case Latin letter with a diacritic, if it has one.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ļ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// The slug of `text`: words of lower-case ASCII joined by '-', at most [`SLUG_MAX`] characters,
/// cut after a whole word where one fits. Apostrophes join ("Peru's" is "perus"), '%' and '+'
/// are spelled out, and whatever else is not a letter or a digit separates words. Empty when
/// `text` has no letter or digit that ASCII can spell.
pub fn slugify(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let end_word = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word));
        }
    };
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => word.push(c),
            '\'' | '’' => {}
            '%' | '+' => {
                end_word(&mut word, &mut words);
                words.push(if c == '%' { "percent" } else { "plus" }.to_string());
            }
            _ => match transliterate(c) {
                Some(ascii) => word.push_str(ascii),
                None => end_word(&mut word, &mut words),
            },
        }
    }
    end_word(&mut word, &mut words);
    cut(&words.join("-"), SLUG_MAX).to_string()
}

/// `slug` in at most `max` characters: whole words where one fits, no '-' at either end.
fn cut(slug: &str, max: usize) -> &str {
    if slug.len() <= max {
        return slug.trim_matches('-');
    }
    let head = &slug[..max];
    // Mid-word if the next character continues the word: go back to the last boundary.
    let head = match (slug.as_bytes()[max] == b'-', head.rfind('-')) {
        (false, Some(boundary)) if boundary > 0 => &head[..boundary],
        _ => head,
    };
    head.trim_matches('-')
}

/// Whether a slug has the shape the catalog reserves for markets listed without one (`market-7`).
fn is_reserved(slug: &str) -> bool {
    slug.strip_prefix("market-").is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// `base`, or `base-2`, `base-3`... (cut so the suffix fits), whichever is not in `taken`; the
/// result is added to `taken`. A base of the reserved shape `market-N` gets a suffix too.
pub fn unique(base: &str, taken: &mut BTreeSet<String>) -> String {
    let mut n = 1u32;
    loop {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            let suffix = format!("-{n}");
            format!("{}{suffix}", cut(base, SLUG_MAX - suffix.len()))
        };
        if !taken.contains(&candidate) && !is_reserved(&candidate) {
            taken.insert(candidate.clone());
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_safe(slug: &str) -> bool {
        !slug.is_empty()
            && slug.len() <= SLUG_MAX
            && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--")
    }

    #[test]
    fn questions_become_readable_slugs() {
        assert_eq!(
            slugify("Will the Edmonton Oilers win the 2026 NHL Stanley Cup?"),
            "will-the-edmonton-oilers-win-the-2026-nhl-stanley-cup"
        );
        assert_eq!(
            slugify("Will Carlos Álvarez win the 2026 Peruvian presidential election?"),
            "will-carlos-alvarez-win-the-2026-peruvian-presidential-election"
        );
        assert_eq!(
            slugify("Will Cooper Flagg win the 2025–26 NBA Rookie of the Year award?"),
            "will-cooper-flagg-win-the-2025-26-nba-rookie-of-the-year-award"
        );
        assert_eq!(
            slugify("Will US GDP growth in Q1 2026 be between 2.0% and 2.5%?"),
            "will-us-gdp-growth-in-q1-2026-be-between-2-0-percent-and-2-5-percent"
        );
        assert_eq!(slugify("  Peru's “next” président ß+Œ  "), "perus-next-president-ss-plus-oe");
        assert_eq!(
            slugify("Will Hyperliquid perform an airdrop by December 31, 2026? "),
            slugify("will hyperliquid perform an airdrop by december 31 2026")
        );
        assert_eq!(slugify("习近平？ — ！"), "");
    }

    #[test]
    fn long_questions_are_cut_after_a_whole_word() {
        let question = "Will the Democratic Progressive Party (DPP) win the most head of local government elections in the 2026 Taiwan local elections?";
        let slug = slugify(question);
        assert!(url_safe(&slug), "{slug}");
        assert_eq!(
            slug,
            "will-the-democratic-progressive-party-dpp-win-the-most-head-of-local-government-elections-in-the"
        );
        assert!(slug.len() <= SLUG_MAX);
        // A word the limit would split is left out whole.
        let ninety = "a".repeat(90);
        assert_eq!(slugify(&format!("{ninety} bbbbbbbbbb")), ninety);
        // One word longer than the limit is cut where the limit falls.
        let word = "a".repeat(200);
        assert_eq!(slugify(&word).len(), SLUG_MAX);
        assert!(url_safe(&slugify(&format!("{word} b"))));
    }

    #[test]
    fn slugs_are_unique_within_a_set() {
        let mut taken = BTreeSet::new();
        let long = "x".repeat(SLUG_MAX);
        let a = unique("will-it-rain", &mut taken);
        let b = unique("will-it-rain", &mut taken);
        let c = unique("will-it-rain", &mut taken);
        let d = unique(&long, &mut taken);
        let e = unique(&long, &mut taken);
        assert_eq!((a.as_str(), b.as_str(), c.as_str()), ("will-it-rain", "will-it-rain-2", "will-it-rain-3"));
        assert_eq!(d, long);
        assert_eq!(e.len(), SLUG_MAX);
        assert!(e.ends_with("x-2"));
        // The catalog's reserved shape is never handed out.
        assert_eq!(unique("market-7", &mut taken), "market-7-2");
        assert_eq!(taken.len(), 6);
        assert!(taken.iter().all(|s| url_safe(s)), "{taken:?}");
    }
}
