//! Finding markets and events: the sort orders, the text query and the cursor pages that
//! `GET /v1/markets` and `GET /v1/events` share.
//!
//! A list is ranked by one integer key per item (smaller first; a descending order negates its
//! figure) with the item's id breaking ties, so every order is total and a cursor (the last
//! item's key and id) says exactly where the next page starts, even when figures move between
//! two pages: an item whose figure changed may move past the cursor, but nothing is repeated
//! within one page and no item that kept its rank is skipped.

use crate::error::ApiError;
use crate::stats::MarketStats;
use serde::Deserialize;
use utoipa::ToSchema;

/// How a list is ordered.
#[derive(Deserialize, ToSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Sort {
    /// By id (market id, event ticker), ascending: the default.
    #[default]
    #[serde(rename = "id")]
    Id,
    /// Contracts traded all time, most first.
    #[serde(rename = "volume")]
    Volume,
    /// Contracts traded in the last 24 hours of venue time, most first.
    #[serde(rename = "volume_24h")]
    Volume24h,
    /// Close time, soonest first (markets without one last).
    #[serde(rename = "close_time")]
    CloseTime,
    /// Listing time, newest first.
    #[serde(rename = "newest")]
    Newest,
    /// Resting notional within 5 cents of the mid, most first.
    #[serde(rename = "liquidity")]
    Liquidity,
}

/// What an item is ranked by: its statistics and times.
pub(super) struct Figures<'a> {
    pub stats: &'a MarketStats,
    /// 0: no close time.
    pub close_time_ms: u64,
    /// None: created before the catalog (ranked oldest).
    pub created_ms: Option<u64>,
}

impl Sort {
    /// The item's key under this order: smaller comes first.
    pub(super) fn key(self, figures: &Figures<'_>) -> i128 {
        match self {
            Sort::Id => 0,
            Sort::Volume => -i128::from(figures.stats.volume),
            Sort::Volume24h => -i128::from(figures.stats.volume_24h),
            Sort::CloseTime if figures.close_time_ms == 0 => i128::MAX,
            Sort::CloseTime => i128::from(figures.close_time_ms),
            Sort::Newest => -figures.created_ms.map_or(-1, i128::from),
            Sort::Liquidity => -i128::try_from(figures.stats.liquidity_micros).unwrap_or(i128::MAX),
        }
    }
}

/// The longest text query, and the most words it may hold.
const QUERY_MAX_CHARS: usize = 200;
const QUERY_MAX_WORDS: usize = 10;

/// A text query: words that must all appear (case-insensitively) somewhere in the item's text.
pub(super) struct TextQuery {
    words: Vec<String>,
}

impl TextQuery {
    pub(super) fn parse(q: Option<&str>) -> Result<Option<TextQuery>, ApiError> {
        let Some(q) = q else { return Ok(None) };
        if q.chars().count() > QUERY_MAX_CHARS {
            return Err(ApiError::bad_request("invalid_query", format!("q is at most {QUERY_MAX_CHARS} characters")));
        }
        let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
        if words.len() > QUERY_MAX_WORDS {
            return Err(ApiError::bad_request("invalid_query", format!("q holds at most {QUERY_MAX_WORDS} words")));
        }
        Ok((!words.is_empty()).then_some(TextQuery { words }))
    }

    /// Whether every word appears in one of `texts`.
    pub(super) fn matches<'a>(&self, texts: impl Iterator<Item = &'a str>) -> bool {
        let text: String = texts.map(|t| t.to_lowercase()).collect::<Vec<_>>().join("\n");
        self.words.iter().all(|w| text.contains(w.as_str()))
    }
}

/// One page of a ranked list: items sorted by (key, id), those after `cursor`, at most `limit`;
/// the cursor of the next page when more remain.
pub(super) fn page<Id>(
    mut ranked: Vec<(i128, Id)>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<Id>, Option<String>), ApiError>
where
    Id: Ord + Clone + std::fmt::Display + std::str::FromStr,
{
    ranked.sort();
    let start = match cursor {
        None => 0,
        Some(cursor) => {
            let after = parse_cursor::<Id>(cursor)?;
            ranked.partition_point(|item| *item <= after)
        }
    };
    let rest = &ranked[start..];
    let items: Vec<Id> = rest.iter().take(limit).map(|(_, id)| id.clone()).collect();
    let next = (rest.len() > limit).then(|| {
        let (key, id) = &rest[limit - 1];
        format!("{key}:{id}")
    });
    Ok((items, next))
}

fn parse_cursor<Id: std::str::FromStr>(cursor: &str) -> Result<(i128, Id), ApiError> {
    let invalid = || ApiError::bad_request("invalid_query", "cursor is not a next_cursor this list gave");
    let (key, id) = cursor.split_once(':').ok_or_else(invalid)?;
    Ok((key.parse().map_err(|_| invalid())?, id.parse().map_err(|_| invalid())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_key_then_the_id_and_end() {
        let ranked = vec![(-5, 3u32), (-9, 7), (-5, 1), (0, 2), (-9, 4)];
        let (first, cursor) = page(ranked.clone(), None, 2).unwrap();
        assert_eq!(first, [4, 7]);
        assert_eq!(cursor.as_deref(), Some("-9:7"));
        let (second, cursor) = page(ranked.clone(), cursor.as_deref(), 2).unwrap();
        assert_eq!(second, [1, 3]);
        let (third, cursor) = page(ranked.clone(), cursor.as_deref(), 2).unwrap();
        assert_eq!((third, cursor), (vec![2], None));
        // Exactly `limit` left: no next page.
        assert_eq!(page(ranked.clone(), Some("-5:1"), 2).unwrap(), (vec![3, 2], None));
        for bad in ["", "7", "x:1", "1:x", "1:2:3"] {
            assert_eq!(page(ranked.clone(), Some(bad), 2).unwrap_err().code, "invalid_query", "{bad}");
        }
    }

    #[test]
    fn a_text_query_needs_every_word_in_any_case() {
        let q = TextQuery::parse(Some("  Bitcoin  ABOVE ")).unwrap().unwrap();
        assert!(q.matches(["Will bitcoin close above $9,000?"].into_iter()));
        assert!(q.matches(["Bitcoin daily", "above"].into_iter()));
        assert!(!q.matches(["Will Ethereum close above $200?"].into_iter()));
        assert!(TextQuery::parse(Some("   ")).unwrap().is_none());
        assert!(TextQuery::parse(Some(&"w ".repeat(11))).is_err());
        assert!(TextQuery::parse(Some(&"w".repeat(201))).is_err());
    }
}
