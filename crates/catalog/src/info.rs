//! What the catalog says about a market, an event and a series, the changes an edit can make to
//! each, and the checks on every field.

use crate::catalog::CatalogReject;
use crate::category::Category;
use crate::limits;
use augury_core::{MarketId, MarketKind, MarketSpec, TimestampMs};
use serde::{Deserialize, Serialize};

/// What a market asks and how it is decided. The market's kind, grid, fees and close time are the
/// engine's ([`MarketSpec`]); everything a person reads is here. (No `deny_unknown_fields` on the
/// entries: the API reads its own request types, and these are flattened into its answers, whose
/// schema must allow the fields around them.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarketInfo {
    /// The question, e.g. "Will BTC close at or above $100,000 on 31 Dec 2026?".
    pub title: String,
    pub subtitle: String,
    pub description: String,
    /// What decides the market: the main rule.
    pub rules_primary: String,
    /// Fine print: edge cases, what happens on a delay or a revision.
    pub rules_secondary: String,
    /// Where the answer comes from (an index, an official result, a publication).
    pub resolution_source: String,
    pub category: Category,
    pub tags: Vec<String>,
    /// Unique across markets; `GET /v1/markets/by-slug/{slug}` finds the market by it.
    pub slug: String,
    pub outcome_names: OutcomeNames,
    /// An illustration; the venue never fetches it.
    pub image_url: Option<String>,
    /// The event the market belongs to.
    pub event: Option<String>,
    /// When the answer is expected to be known (ms since the epoch), at or after the close time.
    pub expected_expiration_ms: Option<TimestampMs>,
}

/// The names of a market's outcomes, in the shape its kind needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OutcomeNames {
    /// The labels of YES and NO ("Yes", "No"; or "Above $100k", "Below $100k").
    Binary { yes: String, no: String },
    /// One label per outcome, in outcome order.
    Categorical { labels: Vec<String> },
    /// The unit of the index the market settles on, and what its floor and cap mean (LONG pays
    /// nothing at or below the floor and a dollar at or above the cap).
    Scalar { unit: String, floor_label: String, cap_label: String },
}

impl OutcomeNames {
    /// Names for a market whose creator gave none: "Yes"/"No", "Outcome 1".., or a bare scalar.
    pub fn default_for(kind: &MarketKind) -> OutcomeNames {
        match *kind {
            MarketKind::Binary => OutcomeNames::Binary { yes: "Yes".into(), no: "No".into() },
            MarketKind::Categorical { outcomes } => {
                OutcomeNames::Categorical { labels: (1..=outcomes).map(|n| format!("Outcome {n}")).collect() }
            }
            MarketKind::Scalar { floor, cap } => OutcomeNames::Scalar {
                unit: String::new(),
                floor_label: format!("{floor} or below"),
                cap_label: format!("{cap} or above"),
            },
        }
    }

    /// The label of one outcome's YES side (a categorical outcome's label; a binary market's YES
    /// label; "Long" for a scalar market).
    pub fn outcome_label(&self, outcome: u16) -> Option<&str> {
        match self {
            OutcomeNames::Binary { yes, .. } => (outcome == 0).then_some(yes.as_str()),
            OutcomeNames::Categorical { labels } => labels.get(usize::from(outcome)).map(String::as_str),
            OutcomeNames::Scalar { .. } => (outcome == 0).then_some("Long"),
        }
    }

    fn check(&self, kind: &MarketKind) -> Result<(), CatalogReject> {
        match (self, kind) {
            (OutcomeNames::Binary { yes, no }, MarketKind::Binary) => {
                limits::line("outcome_names.binary.yes", yes, limits::OUTCOME_LABEL_MAX, true)?;
                limits::line("outcome_names.binary.no", no, limits::OUTCOME_LABEL_MAX, true)
            }
            (OutcomeNames::Categorical { labels }, MarketKind::Categorical { outcomes }) => {
                if labels.len() != usize::from(*outcomes) {
                    return Err(CatalogReject::InvalidField {
                        field: "outcome_names.categorical.labels",
                        reason: format!(
                            "the market has {outcomes} outcomes, so it needs {outcomes} labels, not {}",
                            labels.len()
                        ),
                    });
                }
                for (n, label) in labels.iter().enumerate() {
                    limits::line("outcome_names.categorical.labels", label, limits::OUTCOME_LABEL_MAX, true)?;
                    if labels[..n].contains(label) {
                        return Err(CatalogReject::InvalidField {
                            field: "outcome_names.categorical.labels",
                            reason: format!("the label {label:?} is given twice"),
                        });
                    }
                }
                Ok(())
            }
            (OutcomeNames::Scalar { unit, floor_label, cap_label }, MarketKind::Scalar { .. }) => {
                limits::line("outcome_names.scalar.unit", unit, limits::UNIT_MAX, false)?;
                limits::line("outcome_names.scalar.floor_label", floor_label, limits::BOUND_LABEL_MAX, true)?;
                limits::line("outcome_names.scalar.cap_label", cap_label, limits::BOUND_LABEL_MAX, true)
            }
            _ => Err(CatalogReject::InvalidField {
                field: "outcome_names",
                reason: format!("names for a {} market are needed ({} given)", kind_name(kind), self.kind_name()),
            }),
        }
    }

    fn kind_name(&self) -> &'static str {
        match self {
            OutcomeNames::Binary { .. } => "binary",
            OutcomeNames::Categorical { .. } => "categorical",
            OutcomeNames::Scalar { .. } => "scalar",
        }
    }
}

fn kind_name(kind: &MarketKind) -> &'static str {
    match kind {
        MarketKind::Binary => "binary",
        MarketKind::Categorical { .. } => "categorical",
        MarketKind::Scalar { .. } => "scalar",
    }
}

/// Slugs of this shape name markets by id (`market-7`): a market listed without a slug gets its
/// own, so no other market may take one.
pub fn default_slug(market: MarketId) -> String {
    format!("market-{market}")
}

/// The market whose default slug this is, if it is one.
pub(crate) fn default_slug_market(slug: &str) -> Option<MarketId> {
    let digits = slug.strip_prefix("market-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // "market-007" is not market 7's slug, but it still reads as a market id: refused as well.
    Some(digits.parse().unwrap_or(MarketId::MAX))
}

impl MarketInfo {
    /// What the catalog shows for a market created without any (by an engine command, as venues
    /// before the catalog did): its id for a title, its default slug, default outcome names.
    pub fn placeholder(spec: &MarketSpec) -> MarketInfo {
        MarketInfo {
            title: format!("Market {}", spec.market),
            subtitle: String::new(),
            description: String::new(),
            rules_primary: String::new(),
            rules_secondary: String::new(),
            resolution_source: String::new(),
            category: Category::Other,
            tags: Vec::new(),
            slug: default_slug(spec.market),
            outcome_names: OutcomeNames::default_for(&spec.kind),
            image_url: None,
            event: None,
            expected_expiration_ms: None,
        }
    }

    /// Every field's own checks (lengths, shapes, the outcome names against the market's kind,
    /// the expiration against its close time). Uniqueness and references are the catalog's.
    pub(crate) fn check(&self, spec: &MarketSpec) -> Result<(), CatalogReject> {
        limits::line("title", &self.title, limits::TITLE_MAX, true)?;
        limits::line("subtitle", &self.subtitle, limits::SUBTITLE_MAX, false)?;
        limits::text("description", &self.description, limits::DESCRIPTION_MAX)?;
        limits::text("rules_primary", &self.rules_primary, limits::RULES_MAX)?;
        limits::text("rules_secondary", &self.rules_secondary, limits::RULES_MAX)?;
        limits::text("resolution_source", &self.resolution_source, limits::RESOLUTION_SOURCE_MAX)?;
        limits::tags("tags", &self.tags)?;
        limits::slug(&self.slug)?;
        if let Some(owner) = default_slug_market(&self.slug).filter(|m| *m != spec.market) {
            return Err(CatalogReject::InvalidField {
                field: "slug",
                reason: format!("slugs of the form market-N name markets by id ({:?} is market {owner}'s)", self.slug),
            });
        }
        self.outcome_names.check(&spec.kind)?;
        if let Some(url) = &self.image_url {
            limits::image_url(url)?;
        }
        if let Some(event) = &self.event {
            limits::ticker("event", event)?;
        }
        if let Some(expiration) = self.expected_expiration_ms {
            if spec.close_time_ms != 0 && expiration < spec.close_time_ms {
                return Err(CatalogReject::InvalidField {
                    field: "expected_expiration_ms",
                    reason: format!(
                        "must be at or after the close time ({expiration} is before {})",
                        spec.close_time_ms
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Puts `value` in `field` and returns what was there: how each change records the old value.
fn swap<T: Clone>(field: &mut T, value: &T) -> T {
    std::mem::replace(field, value.clone())
}

/// One field of a market's catalog entry set to a new value: what an edit is made of, and what a
/// [`Revision`](crate::Revision) records (the new values, and the old ones beside them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarketChange {
    Title(String),
    Subtitle(String),
    Description(String),
    RulesPrimary(String),
    RulesSecondary(String),
    ResolutionSource(String),
    Category(Category),
    Tags(Vec<String>),
    Slug(String),
    OutcomeNames(OutcomeNames),
    ImageUrl(Option<String>),
    Event(Option<String>),
    ExpectedExpirationMs(Option<TimestampMs>),
}

impl MarketChange {
    /// Sets the field in `info`, returning the change that would set it back.
    pub(crate) fn apply(&self, info: &mut MarketInfo) -> MarketChange {
        match self {
            MarketChange::Title(v) => MarketChange::Title(swap(&mut info.title, v)),
            MarketChange::Subtitle(v) => MarketChange::Subtitle(swap(&mut info.subtitle, v)),
            MarketChange::Description(v) => MarketChange::Description(swap(&mut info.description, v)),
            MarketChange::RulesPrimary(v) => MarketChange::RulesPrimary(swap(&mut info.rules_primary, v)),
            MarketChange::RulesSecondary(v) => MarketChange::RulesSecondary(swap(&mut info.rules_secondary, v)),
            MarketChange::ResolutionSource(v) => MarketChange::ResolutionSource(swap(&mut info.resolution_source, v)),
            MarketChange::Category(v) => MarketChange::Category(swap(&mut info.category, v)),
            MarketChange::Tags(v) => MarketChange::Tags(swap(&mut info.tags, v)),
            MarketChange::Slug(v) => MarketChange::Slug(swap(&mut info.slug, v)),
            MarketChange::OutcomeNames(v) => MarketChange::OutcomeNames(swap(&mut info.outcome_names, v)),
            MarketChange::ImageUrl(v) => MarketChange::ImageUrl(swap(&mut info.image_url, v)),
            MarketChange::Event(v) => MarketChange::Event(swap(&mut info.event, v)),
            MarketChange::ExpectedExpirationMs(v) => {
                MarketChange::ExpectedExpirationMs(swap(&mut info.expected_expiration_ms, v))
            }
        }
    }

    /// The field's API name.
    pub fn field(&self) -> &'static str {
        match self {
            MarketChange::Title(_) => "title",
            MarketChange::Subtitle(_) => "subtitle",
            MarketChange::Description(_) => "description",
            MarketChange::RulesPrimary(_) => "rules_primary",
            MarketChange::RulesSecondary(_) => "rules_secondary",
            MarketChange::ResolutionSource(_) => "resolution_source",
            MarketChange::Category(_) => "category",
            MarketChange::Tags(_) => "tags",
            MarketChange::Slug(_) => "slug",
            MarketChange::OutcomeNames(_) => "outcome_names",
            MarketChange::ImageUrl(_) => "image_url",
            MarketChange::Event(_) => "event",
            MarketChange::ExpectedExpirationMs(_) => "expected_expiration_ms",
        }
    }
}

/// An event: markets about one happening ("BTC on 2 Dec 2026", "the 2026 NBA Finals").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventInfo {
    /// Unique across events: `A-Z 0-9 - _ .`, at most 64 characters.
    pub ticker: String,
    pub title: String,
    pub subtitle: String,
    pub category: Category,
    pub tags: Vec<String>,
    /// At most one of its markets resolves YES (its markets are the answers to one question).
    pub mutually_exclusive: bool,
    /// The series the event recurs in.
    pub series: Option<String>,
}

impl EventInfo {
    pub(crate) fn check(&self) -> Result<(), CatalogReject> {
        limits::ticker("ticker", &self.ticker)?;
        limits::line("title", &self.title, limits::TITLE_MAX, true)?;
        limits::line("subtitle", &self.subtitle, limits::SUBTITLE_MAX, false)?;
        limits::tags("tags", &self.tags)?;
        if let Some(series) = &self.series {
            limits::ticker("series", series)?;
        }
        Ok(())
    }
}

/// One field of an event set to a new value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventChange {
    Title(String),
    Subtitle(String),
    Category(Category),
    Tags(Vec<String>),
    MutuallyExclusive(bool),
    Series(Option<String>),
}

impl EventChange {
    pub(crate) fn apply(&self, info: &mut EventInfo) -> EventChange {
        match self {
            EventChange::Title(v) => EventChange::Title(swap(&mut info.title, v)),
            EventChange::Subtitle(v) => EventChange::Subtitle(swap(&mut info.subtitle, v)),
            EventChange::Category(v) => EventChange::Category(swap(&mut info.category, v)),
            EventChange::Tags(v) => EventChange::Tags(swap(&mut info.tags, v)),
            EventChange::MutuallyExclusive(v) => EventChange::MutuallyExclusive(swap(&mut info.mutually_exclusive, v)),
            EventChange::Series(v) => EventChange::Series(swap(&mut info.series, v)),
        }
    }

    /// The field's API name.
    pub fn field(&self) -> &'static str {
        match self {
            EventChange::Title(_) => "title",
            EventChange::Subtitle(_) => "subtitle",
            EventChange::Category(_) => "category",
            EventChange::Tags(_) => "tags",
            EventChange::MutuallyExclusive(_) => "mutually_exclusive",
            EventChange::Series(_) => "series",
        }
    }
}

/// A series: events that recur ("BTC daily close", "NBA Finals").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesInfo {
    /// Unique across series: `A-Z 0-9 - _ .`, at most 64 characters.
    pub ticker: String,
    pub title: String,
    pub category: Category,
    pub tags: Vec<String>,
    /// How often its events come ("daily", "weekly", "annual", "one-off").
    pub frequency: String,
}

impl SeriesInfo {
    pub(crate) fn check(&self) -> Result<(), CatalogReject> {
        limits::ticker("ticker", &self.ticker)?;
        limits::line("title", &self.title, limits::TITLE_MAX, true)?;
        limits::tags("tags", &self.tags)?;
        limits::line("frequency", &self.frequency, limits::FREQUENCY_MAX, false)
    }
}

/// One field of a series set to a new value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeriesChange {
    Title(String),
    Category(Category),
    Tags(Vec<String>),
    Frequency(String),
}

impl SeriesChange {
    pub(crate) fn apply(&self, info: &mut SeriesInfo) -> SeriesChange {
        match self {
            SeriesChange::Title(v) => SeriesChange::Title(swap(&mut info.title, v)),
            SeriesChange::Category(v) => SeriesChange::Category(swap(&mut info.category, v)),
            SeriesChange::Tags(v) => SeriesChange::Tags(swap(&mut info.tags, v)),
            SeriesChange::Frequency(v) => SeriesChange::Frequency(swap(&mut info.frequency, v)),
        }
    }

    /// The field's API name.
    pub fn field(&self) -> &'static str {
        match self {
            SeriesChange::Title(_) => "title",
            SeriesChange::Category(_) => "category",
            SeriesChange::Tags(_) => "tags",
            SeriesChange::Frequency(_) => "frequency",
        }
    }
}
