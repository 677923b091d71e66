//! The catalog's state: every listed market's entry, the events and series, their revisions, and
//! the indexes that keep slugs and tickers unique. Each change is checked whole before anything
//! moves, so a refused change leaves the catalog exactly as it was.

use crate::info::{EventChange, EventInfo, MarketChange, MarketInfo, SeriesChange, SeriesInfo};
use augury_core::{AccountId, MarketId, MarketSpec, TimestampMs};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Why a catalog change was refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogReject {
    #[error("{field} is {length} characters long; at most {max} are allowed")]
    TooLong { field: &'static str, max: usize, length: usize },
    #[error("{field} {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error("the slug {slug:?} is taken by market {market}; choose another")]
    DuplicateSlug { slug: String, market: MarketId },
    #[error("market {market} is already listed")]
    AlreadyListed { market: MarketId },
    #[error("there is no event {ticker:?} (create it first with POST /v1/events)")]
    UnknownEvent { ticker: String },
    #[error("there is no series {ticker:?} (create it first with POST /v1/series)")]
    UnknownSeries { ticker: String },
    #[error("an event {ticker:?} exists already")]
    DuplicateEvent { ticker: String },
    #[error("a series {ticker:?} exists already")]
    DuplicateSeries { ticker: String },
    #[error("an edit needs at least one field to change")]
    NoChanges,
    #[error("{field} is changed twice in one edit")]
    RepeatedField { field: &'static str },
}

impl CatalogReject {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CatalogReject::TooLong { .. } => "field_too_long",
            CatalogReject::InvalidField { .. } => "invalid_field",
            CatalogReject::DuplicateSlug { .. } => "duplicate_slug",
            CatalogReject::AlreadyListed { .. } => "duplicate_market",
            CatalogReject::UnknownEvent { .. } => "unknown_event",
            CatalogReject::UnknownSeries { .. } => "unknown_series",
            CatalogReject::DuplicateEvent { .. } => "duplicate_event",
            CatalogReject::DuplicateSeries { .. } => "duplicate_series",
            CatalogReject::NoChanges => "no_changes",
            CatalogReject::RepeatedField { .. } => "repeated_field",
        }
    }
}

/// One edit as it was made: the fields it set (`changes`), what they held before (`previous`, in
/// the same order), when, and by which account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revision<C> {
    /// 1 for the first edit after creation, then 2, 3...
    pub revision: u32,
    pub at_ms: TimestampMs,
    pub by: AccountId,
    pub changes: Vec<C>,
    pub previous: Vec<C>,
}

/// A catalog entry with its creation time and every edit since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed<T, C> {
    pub info: T,
    pub created_ms: TimestampMs,
    pub revisions: Vec<Revision<C>>,
}

impl<T, C> Listed<T, C> {
    fn new(info: T, created_ms: TimestampMs) -> Listed<T, C> {
        Listed { info, created_ms, revisions: Vec::new() }
    }

    /// When the entry last changed: its last edit, or its creation.
    pub fn updated_ms(&self) -> TimestampMs {
        self.revisions.last().map_or(self.created_ms, |r| r.at_ms)
    }
}

pub type ListedMarket = Listed<MarketInfo, MarketChange>;
pub type ListedEvent = Listed<EventInfo, EventChange>;
pub type ListedSeries = Listed<SeriesInfo, SeriesChange>;

/// The catalog. Snapshots hold the three tables; the indexes are rebuilt when one is read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "Tables")]
pub struct Catalog {
    markets: BTreeMap<MarketId, ListedMarket>,
    events: BTreeMap<String, ListedEvent>,
    series: BTreeMap<String, ListedSeries>,
    slugs: BTreeMap<String, MarketId>,
    event_markets: BTreeMap<String, BTreeSet<MarketId>>,
    series_events: BTreeMap<String, BTreeSet<String>>,
}

/// What a snapshot stores of the catalog.
#[derive(Deserialize)]
struct Tables {
    markets: BTreeMap<MarketId, ListedMarket>,
    events: BTreeMap<String, ListedEvent>,
    series: BTreeMap<String, ListedSeries>,
}

impl Serialize for Catalog {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct TablesRef<'a> {
            markets: &'a BTreeMap<MarketId, ListedMarket>,
            events: &'a BTreeMap<String, ListedEvent>,
            series: &'a BTreeMap<String, ListedSeries>,
        }
        TablesRef { markets: &self.markets, events: &self.events, series: &self.series }.serialize(serializer)
    }
}

impl From<Tables> for Catalog {
    fn from(tables: Tables) -> Catalog {
        let mut catalog =
            Catalog { markets: tables.markets, events: tables.events, series: tables.series, ..Catalog::default() };
        for (market, listed) in &catalog.markets {
            catalog.slugs.insert(listed.info.slug.clone(), *market);
            if let Some(event) = &listed.info.event {
                catalog.event_markets.entry(event.clone()).or_default().insert(*market);
            }
        }
        for (ticker, listed) in &catalog.events {
            if let Some(series) = &listed.info.series {
                catalog.series_events.entry(series.clone()).or_default().insert(ticker.clone());
            }
        }
        catalog
    }
}

/// Refuses a change list that is empty or sets one field twice.
fn check_changes<C>(changes: &[C], field: impl Fn(&C) -> &'static str) -> Result<(), CatalogReject> {
    if changes.is_empty() {
        return Err(CatalogReject::NoChanges);
    }
    for (n, change) in changes.iter().enumerate() {
        if changes[..n].iter().any(|c| field(c) == field(change)) {
            return Err(CatalogReject::RepeatedField { field: field(change) });
        }
    }
    Ok(())
}

impl Catalog {
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// A listed market's entry (None for a market created without one).
    pub fn market(&self, market: MarketId) -> Option<&ListedMarket> {
        self.markets.get(&market)
    }

    /// Listed markets in id order.
    pub fn markets(&self) -> impl Iterator<Item = (MarketId, &ListedMarket)> {
        self.markets.iter().map(|(m, l)| (*m, l))
    }

    /// The market listed under `slug`.
    pub fn market_by_slug(&self, slug: &str) -> Option<MarketId> {
        self.slugs.get(slug).copied()
    }

    pub fn event(&self, ticker: &str) -> Option<&ListedEvent> {
        self.events.get(ticker)
    }

    /// Events in ticker order.
    pub fn events(&self) -> impl Iterator<Item = &ListedEvent> {
        self.events.values()
    }

    /// The markets of an event, in id order.
    pub fn event_markets(&self, ticker: &str) -> impl Iterator<Item = MarketId> + '_ {
        self.event_markets.get(ticker).into_iter().flatten().copied()
    }

    pub fn series(&self, ticker: &str) -> Option<&ListedSeries> {
        self.series.get(ticker)
    }

    /// Series in ticker order.
    pub fn all_series(&self) -> impl Iterator<Item = &ListedSeries> {
        self.series.values()
    }

    /// The events of a series, in ticker order.
    pub fn series_events(&self, ticker: &str) -> impl Iterator<Item = &str> + '_ {
        self.series_events.get(ticker).into_iter().flatten().map(String::as_str)
    }

    /// The series a market belongs to (through its event).
    pub fn market_series(&self, market: MarketId) -> Option<&str> {
        let event = self.markets.get(&market)?.info.event.as_deref()?;
        self.events.get(event)?.info.series.as_deref()
    }

    /// Whether `info` may list the market `spec` creates. Changes nothing.
    pub fn check_listing(&self, spec: &MarketSpec, info: &MarketInfo) -> Result<(), CatalogReject> {
        if self.markets.contains_key(&spec.market) {
            return Err(CatalogReject::AlreadyListed { market: spec.market });
        }
        info.check(spec)?;
        self.check_references(spec.market, info)
    }

    /// Lists a market. Call [`Catalog::check_listing`] first: this cannot refuse.
    pub fn list_market(&mut self, spec: &MarketSpec, info: MarketInfo, now_ms: TimestampMs) {
        debug_assert_eq!(self.check_listing(spec, &info), Ok(()));
        self.index_market(spec.market, &info);
        self.markets.insert(spec.market, Listed::new(info, now_ms));
    }

    /// Edits a market's entry. A market created without one (by an engine command) is listed by
    /// its first edit, starting from [`MarketInfo::placeholder`].
    pub fn edit_market(
        &mut self,
        spec: &MarketSpec,
        changes: &[MarketChange],
        by: AccountId,
        now_ms: TimestampMs,
    ) -> Result<(), CatalogReject> {
        check_changes(changes, MarketChange::field)?;
        let listed = self.markets.get(&spec.market);
        let mut info = listed.map_or_else(|| MarketInfo::placeholder(spec), |l| l.info.clone());
        let previous: Vec<MarketChange> = changes.iter().map(|c| c.apply(&mut info)).collect();
        info.check(spec)?;
        self.check_references(spec.market, &info)?;

        let mut listed =
            self.markets.remove(&spec.market).unwrap_or_else(|| Listed::new(MarketInfo::placeholder(spec), now_ms));
        self.unindex_market(spec.market, &listed.info);
        self.index_market(spec.market, &info);
        listed.info = info;
        let revision = u32::try_from(listed.revisions.len()).expect("fewer than u32::MAX edits") + 1;
        listed.revisions.push(Revision { revision, at_ms: now_ms, by, changes: changes.to_vec(), previous });
        self.markets.insert(spec.market, listed);
        Ok(())
    }

    /// The slug is free (or the market's own) and the event exists.
    fn check_references(&self, market: MarketId, info: &MarketInfo) -> Result<(), CatalogReject> {
        if let Some(&owner) = self.slugs.get(&info.slug).filter(|&&owner| owner != market) {
            return Err(CatalogReject::DuplicateSlug { slug: info.slug.clone(), market: owner });
        }
        if let Some(event) = info.event.as_ref().filter(|e| !self.events.contains_key(*e)) {
            return Err(CatalogReject::UnknownEvent { ticker: event.clone() });
        }
        Ok(())
    }

    fn index_market(&mut self, market: MarketId, info: &MarketInfo) {
        let previous = self.slugs.insert(info.slug.clone(), market);
        debug_assert!(previous.is_none_or(|m| m == market), "slugs are unique");
        if let Some(event) = &info.event {
            self.event_markets.entry(event.clone()).or_default().insert(market);
        }
    }

    fn unindex_market(&mut self, market: MarketId, info: &MarketInfo) {
        self.slugs.remove(&info.slug);
        if let Some(event) = &info.event {
            if let Some(markets) = self.event_markets.get_mut(event) {
                markets.remove(&market);
            }
        }
    }

    pub fn create_event(&mut self, info: EventInfo, now_ms: TimestampMs) -> Result<(), CatalogReject> {
        info.check()?;
        if self.events.contains_key(&info.ticker) {
            return Err(CatalogReject::DuplicateEvent { ticker: info.ticker });
        }
        self.check_series(info.series.as_deref())?;
        if let Some(series) = &info.series {
            self.series_events.entry(series.clone()).or_default().insert(info.ticker.clone());
        }
        self.events.insert(info.ticker.clone(), Listed::new(info, now_ms));
        Ok(())
    }

    pub fn edit_event(
        &mut self,
        ticker: &str,
        changes: &[EventChange],
        by: AccountId,
        now_ms: TimestampMs,
    ) -> Result<(), CatalogReject> {
        check_changes(changes, EventChange::field)?;
        let listed = self.events.get(ticker).ok_or_else(|| CatalogReject::UnknownEvent { ticker: ticker.into() })?;
        let mut info = listed.info.clone();
        let previous: Vec<EventChange> = changes.iter().map(|c| c.apply(&mut info)).collect();
        info.check()?;
        self.check_series(info.series.as_deref())?;

        let listed = self.events.get_mut(ticker).expect("checked above");
        if listed.info.series != info.series {
            if let Some(old) = &listed.info.series {
                if let Some(events) = self.series_events.get_mut(old) {
                    events.remove(ticker);
                }
            }
            if let Some(new) = &info.series {
                self.series_events.entry(new.clone()).or_default().insert(ticker.to_string());
            }
        }
        listed.info = info;
        let revision = u32::try_from(listed.revisions.len()).expect("fewer than u32::MAX edits") + 1;
        listed.revisions.push(Revision { revision, at_ms: now_ms, by, changes: changes.to_vec(), previous });
        Ok(())
    }

    fn check_series(&self, series: Option<&str>) -> Result<(), CatalogReject> {
        match series {
            Some(series) if !self.series.contains_key(series) => {
                Err(CatalogReject::UnknownSeries { ticker: series.to_string() })
            }
            _ => Ok(()),
        }
    }

    pub fn create_series(&mut self, info: SeriesInfo, now_ms: TimestampMs) -> Result<(), CatalogReject> {
        info.check()?;
        if self.series.contains_key(&info.ticker) {
            return Err(CatalogReject::DuplicateSeries { ticker: info.ticker });
        }
        self.series.insert(info.ticker.clone(), Listed::new(info, now_ms));
        Ok(())
    }

    pub fn edit_series(
        &mut self,
        ticker: &str,
        changes: &[SeriesChange],
        by: AccountId,
        now_ms: TimestampMs,
    ) -> Result<(), CatalogReject> {
        check_changes(changes, SeriesChange::field)?;
        let listed =
            self.series.get_mut(ticker).ok_or_else(|| CatalogReject::UnknownSeries { ticker: ticker.into() })?;
        let mut info = listed.info.clone();
        let previous: Vec<SeriesChange> = changes.iter().map(|c| c.apply(&mut info)).collect();
        info.check()?;
        listed.info = info;
        let revision = u32::try_from(listed.revisions.len()).expect("fewer than u32::MAX edits") + 1;
        listed.revisions.push(Revision { revision, at_ms: now_ms, by, changes: changes.to_vec(), previous });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::category::Category;
    use crate::info::OutcomeNames;
    use crate::limits;
    use augury_core::MarketKind;

    fn spec(market: MarketId) -> MarketSpec {
        MarketSpec { market, close_time_ms: 1_000, ..MarketSpec::default() }
    }

    fn info(title: &str, slug: &str) -> MarketInfo {
        MarketInfo {
            title: title.into(),
            rules_primary: "Resolves YES if it happens.".into(),
            category: Category::Crypto,
            tags: vec!["bitcoin".into()],
            slug: slug.into(),
            ..MarketInfo::placeholder(&spec(MarketId(0)))
        }
    }

    fn series() -> SeriesInfo {
        SeriesInfo {
            ticker: "BTC-DAILY".into(),
            title: "Bitcoin daily close".into(),
            category: Category::Crypto,
            tags: vec![],
            frequency: "daily".into(),
        }
    }

    fn event(ticker: &str) -> EventInfo {
        EventInfo {
            ticker: ticker.into(),
            title: "Bitcoin on 2 December".into(),
            subtitle: String::new(),
            category: Category::Crypto,
            tags: vec![],
            mutually_exclusive: false,
            series: Some("BTC-DAILY".into()),
        }
    }

    /// A refusal leaves the catalog as it was: compared whole, indexes included.
    fn refused(catalog: &mut Catalog, change: impl FnOnce(&mut Catalog) -> Result<(), CatalogReject>) -> CatalogReject {
        let before = catalog.clone();
        let reject = change(catalog).expect_err("refused");
        assert_eq!(*catalog, before, "a refused change changed the catalog");
        reject
    }

    #[test]
    fn listing_checks_every_field_and_keeps_text_as_given() {
        let mut catalog = Catalog::new();
        let markup = info("<b>Will BTC</b> & \"ETH\" <script>x</script>?", "btc-eth");
        catalog.check_listing(&spec(MarketId(1)), &markup).unwrap();
        catalog.list_market(&spec(MarketId(1)), markup.clone(), 5);
        assert_eq!(catalog.market(MarketId(1)).unwrap().info, markup);
        assert_eq!(catalog.market(MarketId(1)).unwrap().created_ms, 5);
        assert_eq!(catalog.market_by_slug("btc-eth"), Some(MarketId(1)));

        let long = info(&"q".repeat(limits::TITLE_MAX + 1), "long");
        assert_eq!(
            catalog.check_listing(&spec(MarketId(2)), &long),
            Err(CatalogReject::TooLong { field: "title", max: limits::TITLE_MAX, length: limits::TITLE_MAX + 1 })
        );
        // Characters, not bytes: 200 two-byte characters fit.
        catalog.check_listing(&spec(MarketId(2)), &info(&"é".repeat(limits::TITLE_MAX), "accents")).unwrap();
        let rules = MarketInfo { rules_primary: "r".repeat(limits::RULES_MAX + 1), ..info("q", "rules") };
        assert_eq!(catalog.check_listing(&spec(MarketId(2)), &rules).unwrap_err().code(), "field_too_long");
        for bad_slug in ["", "Upper", "a b", "-a", "a-", "é"] {
            assert_eq!(
                catalog.check_listing(&spec(MarketId(2)), &info("q", bad_slug)).unwrap_err().code(),
                "invalid_field"
            );
        }
        assert_eq!(
            catalog.check_listing(&spec(MarketId(2)), &info("q", "btc-eth")),
            Err(CatalogReject::DuplicateSlug { slug: "btc-eth".into(), market: MarketId(1) })
        );
        // market-N slugs belong to market N.
        assert_eq!(
            catalog.check_listing(&spec(MarketId(2)), &info("q", "market-3")).unwrap_err().code(),
            "invalid_field"
        );
        catalog.check_listing(&spec(MarketId(2)), &info("q", "market-2")).unwrap();
        let newline = info("two\nlines", "nl");
        assert_eq!(catalog.check_listing(&spec(MarketId(2)), &newline).unwrap_err().code(), "invalid_field");
        let names = MarketInfo {
            outcome_names: OutcomeNames::Categorical { labels: vec!["a".into(), "b".into()] },
            ..info("q", "names")
        };
        assert_eq!(catalog.check_listing(&spec(MarketId(2)), &names).unwrap_err().code(), "invalid_field");
        let categorical = MarketSpec { kind: MarketKind::Categorical { outcomes: 2 }, ..spec(MarketId(2)) };
        catalog.check_listing(&categorical, &names).unwrap();
        let early = MarketInfo { expected_expiration_ms: Some(999), ..info("q", "early") };
        assert_eq!(catalog.check_listing(&spec(MarketId(2)), &early).unwrap_err().code(), "invalid_field");
        let tags = MarketInfo { tags: vec!["t".into(); 2], ..info("q", "tags") };
        assert_eq!(catalog.check_listing(&spec(MarketId(2)), &tags).unwrap_err().code(), "invalid_field");
        let url = MarketInfo { image_url: Some("javascript:alert(1)".into()), ..info("q", "url") };
        assert_eq!(catalog.check_listing(&spec(MarketId(2)), &url).unwrap_err().code(), "invalid_field");
        let orphan = MarketInfo { event: Some("NOPE".into()), ..info("q", "orphan") };
        assert_eq!(catalog.check_listing(&spec(MarketId(2)), &orphan).unwrap_err().code(), "unknown_event");
        assert_eq!(
            catalog.check_listing(&spec(MarketId(1)), &info("q", "again")).unwrap_err().code(),
            "duplicate_market"
        );
    }

    #[test]
    fn edits_keep_their_history_and_refusals_change_nothing() {
        let mut catalog = Catalog::new();
        catalog.list_market(&spec(MarketId(1)), info("First title", "first"), 10);
        catalog.list_market(&spec(MarketId(2)), info("Other", "other"), 10);

        catalog
            .edit_market(
                &spec(MarketId(1)),
                &[MarketChange::Title("Second title".into()), MarketChange::Slug("second".into())],
                AccountId(7),
                20,
            )
            .unwrap();
        assert_eq!(catalog.market_by_slug("first"), None);
        assert_eq!(catalog.market_by_slug("second"), Some(MarketId(1)));
        catalog
            .edit_market(&spec(MarketId(1)), &[MarketChange::Title("Third title".into())], AccountId(8), 30)
            .unwrap();

        let listed = catalog.market(MarketId(1)).unwrap();
        assert_eq!(listed.info.title, "Third title");
        assert_eq!(listed.updated_ms(), 30);
        assert_eq!(listed.revisions.len(), 2);
        assert_eq!(listed.revisions[0].revision, 1);
        assert_eq!(listed.revisions[0].by, AccountId(7));
        assert_eq!(
            listed.revisions[0].previous,
            [MarketChange::Title("First title".into()), MarketChange::Slug("first".into())]
        );
        assert_eq!(listed.revisions[1].previous, [MarketChange::Title("Second title".into())]);

        let over = MarketChange::RulesPrimary("x".repeat(limits::RULES_MAX + 1));
        assert_eq!(
            refused(&mut catalog, |c| c.edit_market(&spec(MarketId(1)), &[over], AccountId(7), 40)).code(),
            "field_too_long"
        );
        let taken = MarketChange::Slug("other".into());
        assert_eq!(
            refused(&mut catalog, |c| c.edit_market(&spec(MarketId(1)), &[taken], AccountId(7), 40)).code(),
            "duplicate_slug"
        );
        // A good change beside a bad one is refused with it.
        let mixed = [MarketChange::Title("fine".into()), MarketChange::Event(Some("NOPE".into()))];
        assert_eq!(
            refused(&mut catalog, |c| c.edit_market(&spec(MarketId(1)), &mixed, AccountId(7), 40)).code(),
            "unknown_event"
        );
        assert_eq!(
            refused(&mut catalog, |c| c.edit_market(&spec(MarketId(1)), &[], AccountId(7), 40)),
            CatalogReject::NoChanges
        );
        let twice = [MarketChange::Title("a".into()), MarketChange::Title("b".into())];
        assert_eq!(
            refused(&mut catalog, |c| c.edit_market(&spec(MarketId(1)), &twice, AccountId(7), 40)).code(),
            "repeated_field"
        );

        // A market created without an entry is listed by its first edit.
        catalog.edit_market(&spec(MarketId(9)), &[MarketChange::Category(Category::Sports)], AccountId(7), 50).unwrap();
        let listed = catalog.market(MarketId(9)).unwrap();
        assert_eq!(listed.info.title, "Market 9");
        assert_eq!(listed.info.slug, "market-9");
        assert_eq!(listed.info.category, Category::Sports);
        assert_eq!(catalog.market_by_slug("market-9"), Some(MarketId(9)));
    }

    #[test]
    fn events_and_series_group_markets() {
        let mut catalog = Catalog::new();
        assert_eq!(refused(&mut catalog, |c| c.create_event(event("BTC-1202"), 1)).code(), "unknown_series");
        catalog.create_series(series(), 1).unwrap();
        assert_eq!(refused(&mut catalog, |c| c.create_series(series(), 1)).code(), "duplicate_series");
        catalog.create_event(event("BTC-1202"), 2).unwrap();
        catalog.create_event(EventInfo { series: None, ..event("LONE") }, 2).unwrap();
        assert_eq!(refused(&mut catalog, |c| c.create_event(event("BTC-1202"), 3)).code(), "duplicate_event");
        assert_eq!(
            refused(&mut catalog, |c| c.create_event(event("btc-lower"), 3)).code(),
            "invalid_field",
            "tickers are upper case"
        );

        for (market, slug) in [(3, "b"), (1, "a")] {
            let listed = MarketInfo { event: Some("BTC-1202".into()), ..info("q", slug) };
            catalog.check_listing(&spec(MarketId(market)), &listed).unwrap();
            catalog.list_market(&spec(MarketId(market)), listed, 3);
        }
        assert_eq!(catalog.event_markets("BTC-1202").collect::<Vec<_>>(), [MarketId(1), MarketId(3)]);
        assert_eq!(catalog.series_events("BTC-DAILY").collect::<Vec<_>>(), ["BTC-1202"]);
        assert_eq!(catalog.market_series(MarketId(3)), Some("BTC-DAILY"));

        catalog.edit_market(&spec(MarketId(3)), &[MarketChange::Event(Some("LONE".into()))], AccountId(1), 4).unwrap();
        assert_eq!(catalog.event_markets("BTC-1202").collect::<Vec<_>>(), [MarketId(1)]);
        assert_eq!(catalog.event_markets("LONE").collect::<Vec<_>>(), [MarketId(3)]);
        assert_eq!(catalog.market_series(MarketId(3)), None);

        catalog.edit_event("LONE", &[EventChange::Series(Some("BTC-DAILY".into()))], AccountId(1), 5).unwrap();
        assert_eq!(catalog.series_events("BTC-DAILY").collect::<Vec<_>>(), ["BTC-1202", "LONE"]);
        assert_eq!(catalog.event("LONE").unwrap().revisions[0].previous, [EventChange::Series(None)]);
        let unknown = [EventChange::Series(Some("NOPE".into()))];
        assert_eq!(refused(&mut catalog, |c| c.edit_event("LONE", &unknown, AccountId(1), 6)).code(), "unknown_series");
        assert_eq!(
            refused(&mut catalog, |c| c.edit_event("NOPE", &[EventChange::MutuallyExclusive(true)], AccountId(1), 6))
                .code(),
            "unknown_event"
        );
        catalog.edit_series("BTC-DAILY", &[SeriesChange::Frequency("hourly".into())], AccountId(1), 7).unwrap();
        assert_eq!(catalog.series("BTC-DAILY").unwrap().info.frequency, "hourly");
    }

    /// Snapshots store the tables; reading one rebuilds the indexes to what they were.
    #[test]
    fn a_snapshot_round_trip_rebuilds_the_indexes() {
        let mut catalog = Catalog::new();
        catalog.create_series(series(), 1).unwrap();
        catalog.create_event(event("BTC-1202"), 2).unwrap();
        let listed = MarketInfo { event: Some("BTC-1202".into()), ..info("<i>q</i>", "a") };
        catalog.list_market(&spec(MarketId(1)), listed, 3);
        catalog.edit_market(&spec(MarketId(1)), &[MarketChange::Slug("b".into())], AccountId(4), 5).unwrap();

        let bytes = postcard::to_allocvec(&catalog).unwrap();
        let decoded: Catalog = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(decoded, catalog);
        assert_eq!(decoded.market_by_slug("b"), Some(MarketId(1)));
        assert_eq!(decoded.event_markets("BTC-1202").collect::<Vec<_>>(), [MarketId(1)]);
        assert_eq!(decoded.series_events("BTC-DAILY").collect::<Vec<_>>(), ["BTC-1202"]);
    }
}
