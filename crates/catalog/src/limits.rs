//! How long each catalog field may be, and the checks every field goes through. Lengths are in
//! characters (Unicode scalar values), not bytes, so an accented question gets the same room as
//! an unaccented one; the byte size stays bounded (at most four bytes a character).

use crate::catalog::CatalogReject;

/// A market's question, an event's or a series' title.
pub const TITLE_MAX: usize = 200;
pub const SUBTITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5_000;
/// Each of the primary and secondary rules.
pub const RULES_MAX: usize = 5_000;
pub const RESOLUTION_SOURCE_MAX: usize = 500;
pub const TAGS_MAX: usize = 10;
pub const TAG_MAX: usize = 40;
pub const SLUG_MAX: usize = 96;
pub const IMAGE_URL_MAX: usize = 1_000;
/// An outcome's label (categorical), a binary market's YES or NO label.
pub const OUTCOME_LABEL_MAX: usize = 100;
/// A scalar market's unit ("USD", "°C").
pub const UNIT_MAX: usize = 32;
/// What a scalar market's floor or cap means.
pub const BOUND_LABEL_MAX: usize = 200;
/// An event's or a series' ticker.
pub const TICKER_MAX: usize = 64;
/// A series' frequency ("daily", "weekly", "one-off").
pub const FREQUENCY_MAX: usize = 32;

/// One line of text (a title, a tag): at most `max` characters, no control characters (a line
/// break in a title is a mistake). Empty is allowed only where `required` is false.
pub(crate) fn line(field: &'static str, text: &str, max: usize, required: bool) -> Result<(), CatalogReject> {
    length(field, text, max, required)?;
    if let Some(bad) = text.chars().find(|c| c.is_control()) {
        return Err(CatalogReject::InvalidField {
            field,
            reason: format!("may not contain the control character U+{:04X} (one line of text)", u32::from(bad)),
        });
    }
    Ok(())
}

/// Free text (a description, rules): at most `max` characters; line breaks and tabs are fine,
/// other control characters are refused (they are never meant and some terminals act on them).
pub(crate) fn text(field: &'static str, text: &str, max: usize) -> Result<(), CatalogReject> {
    length(field, text, max, false)?;
    if let Some(bad) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(CatalogReject::InvalidField {
            field,
            reason: format!("may not contain the control character U+{:04X}", u32::from(bad)),
        });
    }
    Ok(())
}

fn length(field: &'static str, text: &str, max: usize, required: bool) -> Result<(), CatalogReject> {
    if required && text.trim().is_empty() {
        return Err(CatalogReject::InvalidField { field, reason: "must not be empty".into() });
    }
    // Counting characters stops at max + 1: a huge field is refused without walking all of it.
    let chars = text.chars().take(max + 1).count();
    if chars > max {
        return Err(CatalogReject::TooLong { field, max, length: text.chars().count() });
    }
    Ok(())
}

/// Tags: at most [`TAGS_MAX`], each one line of 1 to [`TAG_MAX`] characters, no repeats.
pub(crate) fn tags(field: &'static str, tags: &[String]) -> Result<(), CatalogReject> {
    if tags.len() > TAGS_MAX {
        return Err(CatalogReject::InvalidField {
            field,
            reason: format!("at most {TAGS_MAX} tags, not {}", tags.len()),
        });
    }
    for (n, tag) in tags.iter().enumerate() {
        line(field, tag, TAG_MAX, true)?;
        if tags[..n].contains(tag) {
            return Err(CatalogReject::InvalidField { field, reason: format!("the tag {tag:?} is given twice") });
        }
    }
    Ok(())
}

/// A slug: 1 to [`SLUG_MAX`] of `a-z 0-9 -`, starting and ending with a letter or digit, so it
/// can stand in a URL as it is.
pub(crate) fn slug(slug: &str) -> Result<(), CatalogReject> {
    let invalid = |reason: &str| Err(CatalogReject::InvalidField { field: "slug", reason: reason.into() });
    if slug.is_empty() || slug.len() > SLUG_MAX {
        return invalid(&format!("must be 1 to {SLUG_MAX} characters"));
    }
    if !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return invalid("may hold only lower-case letters a-z, digits and '-'");
    }
    if slug.starts_with('-') || slug.ends_with('-') {
        return invalid("must start and end with a letter or a digit");
    }
    Ok(())
}

/// A ticker of an event or a series: 1 to [`TICKER_MAX`] of `A-Z 0-9 - _ .`, starting with a
/// letter or digit (the shape the Kalshi surface needs, where tickers are upper case).
pub(crate) fn ticker(field: &'static str, ticker: &str) -> Result<(), CatalogReject> {
    let invalid = |reason: &str| Err(CatalogReject::InvalidField { field, reason: reason.into() });
    if ticker.is_empty() || ticker.len() > TICKER_MAX {
        return invalid(&format!("must be 1 to {TICKER_MAX} characters"));
    }
    if !ticker.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')) {
        return invalid("may hold only upper-case letters A-Z, digits and - _ .");
    }
    if !ticker.as_bytes()[0].is_ascii_alphanumeric() {
        return invalid("must start with a letter or a digit");
    }
    Ok(())
}

/// An image URL: `https://` or `http://` and no whitespace or control characters, at most
/// [`IMAGE_URL_MAX`] characters. The venue never fetches it.
pub(crate) fn image_url(url: &str) -> Result<(), CatalogReject> {
    line("image_url", url, IMAGE_URL_MAX, true)?;
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(CatalogReject::InvalidField {
            field: "image_url",
            reason: "must be an http:// or https:// URL without spaces".into(),
        }),
    }
}
