//! Real questions for the demo: 26 Polymarket questions (`data/real-questions.csv`, compiled in),
//! the importer that reads them, and what each becomes: a binary market with a catalog entry
//! (the question as its title, our category, tags, rules, resolution source, close time and
//! slug), some grouped into events. The questions' text is Polymarket's; everything else in the
//! file, and the events here, are ours (see `data/README.md`).
//!
//! The importer is strict about what would mislead a trader and says what it did: a row with a
//! bad category, time, price or event, a repeated question or market id, or a question too long
//! for a title is refused with its line and reason; whitespace around a question is trimmed, a
//! fair price outside 2..98 cents clamped, empty or repeated tags dropped and a taken slug
//! suffixed, each reported as a repair. Nothing is silently changed.

use crate::markets::{DemoMarket, REGULATED};
use crate::slug;
use crate::utc::{format_utc, parse_utc};
use augury_catalog::limits::{RESOLUTION_SOURCE_MAX, TAGS_MAX, TAG_MAX, TITLE_MAX};
use augury_catalog::{Category, EventInfo, MarketInfo, OutcomeNames};
use augury_core::{MarketId, MarketKind, MarketSpec, TimestampMs};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The shipped questions.
const SHIPPED: &str = include_str!("../data/real-questions.csv");

/// The header line the importer expects, column for column.
pub const HEADER: &str = "market_id,question,category,tags,close_time,expected_expiration,fair_yes_cents,traded,\
                          event,resolution_source";
const COLUMNS: usize = 10;

/// Data row `n` (counting from 1, refused rows included, so a refusal never renumbers the rest)
/// becomes market `QUESTION_MARKET_BASE + n`: clear of the demo's markets 1 to 3 and of the
/// crypto replay's daily listings (1,804,800 and up).
pub const QUESTION_MARKET_BASE: MarketId = MarketId(1_000);
/// The most data rows a file may have (market ids stay below 10,000).
pub const ROWS_MAX: u32 = 8_999;
/// The simulated traders' fair YES price stays inside these bounds (cents), so both sides of a
/// market have room to quote.
pub const FAIR_MIN_CENTS: u32 = 2;
pub const FAIR_MAX_CENTS: u32 = 98;

/// An event the questions can belong to: markets about one happening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventDef {
    pub ticker: &'static str,
    pub title: &'static str,
    pub subtitle: &'static str,
    pub category: Category,
    pub tags: &'static [&'static str],
    /// At most one of its markets resolves YES.
    pub mutually_exclusive: bool,
}

impl EventDef {
    pub fn info(&self) -> EventInfo {
        EventInfo {
            ticker: self.ticker.into(),
            title: self.title.into(),
            subtitle: self.subtitle.into(),
            category: self.category,
            tags: self.tags.iter().map(|t| t.to_string()).collect(),
            mutually_exclusive: self.mutually_exclusive,
            series: None,
        }
    }
}

/// The events the `event` column may name. Each lists answers to one question, so each is
/// mutually exclusive (the file need not list every possible answer).
pub const EVENTS: &[EventDef] = &[
    EventDef {
        ticker: "NHL-STANLEY-CUP-2026",
        title: "2026 NHL Stanley Cup winner",
        subtitle: "Which team wins the 2025–26 Stanley Cup Final",
        category: Category::Sports,
        tags: &["nhl", "hockey", "stanley-cup"],
        mutually_exclusive: true,
    },
    EventDef {
        ticker: "NBA-FINALS-2026",
        title: "2026 NBA Finals winner",
        subtitle: "Which team wins the 2025–26 NBA championship",
        category: Category::Sports,
        tags: &["nba", "basketball"],
        mutually_exclusive: true,
    },
    EventDef {
        ticker: "NBA-ROOKIE-OF-THE-YEAR-2026",
        title: "2025–26 NBA Rookie of the Year",
        subtitle: "Who the NBA names the best rookie of the 2025–26 season",
        category: Category::Sports,
        tags: &["nba", "basketball", "awards"],
        mutually_exclusive: true,
    },
    EventDef {
        ticker: "WEINSTEIN-SENTENCE-2026",
        title: "Harvey Weinstein's sentence",
        subtitle: "The prison term the court imposes, if any",
        category: Category::Culture,
        tags: &["harvey-weinstein", "courts", "sentencing"],
        mutually_exclusive: true,
    },
    EventDef {
        ticker: "MI-GOVERNOR-2026",
        title: "2026 Michigan governor race",
        subtitle: "Which party wins the governorship on 3 November 2026",
        category: Category::Elections,
        tags: &["michigan", "governor", "us-midterms"],
        mutually_exclusive: true,
    },
    EventDef {
        ticker: "PERU-PRESIDENT-2026",
        title: "2026 Peruvian presidential election",
        subtitle: "Who wins Peru's presidency",
        category: Category::Elections,
        tags: &["peru", "president"],
        mutually_exclusive: true,
    },
    EventDef {
        ticker: "US-GDP-2026-Q1",
        title: "US GDP growth in Q1 2026",
        subtitle: "The BEA's advance estimate, seasonally adjusted annual rate",
        category: Category::Economics,
        tags: &["gdp", "us-economy"],
        mutually_exclusive: true,
    },
];

/// One accepted question and everything its market is made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The line of the file it came from (from 1, comments included).
    pub line: usize,
    /// Its market on this venue.
    pub market: MarketId,
    /// Polymarket's id of the market that asked it.
    pub polymarket_id: u64,
    /// The question, trimmed.
    pub question: String,
    pub category: Category,
    pub tags: Vec<String>,
    pub close_time_ms: TimestampMs,
    pub expected_expiration_ms: TimestampMs,
    /// The simulated traders' starting fair YES price, in cents.
    pub fair_yes_cents: u32,
    /// Whether the simulated traders trade it.
    pub traded: bool,
    /// The ticker of its event, one of [`EVENTS`].
    pub event: Option<&'static str>,
    pub resolution_source: String,
    /// Unique among the file's questions.
    pub slug: String,
}

/// The fine print every real question shares, after the postponement rule.
const AMBIGUITY: &str = "Anything the question and these rules leave ambiguous (a source that contradicts itself \
                         or is revised, a question that cannot be answered as asked) is settled by the venue's \
                         resolution process: a proposal with a bond, a liveness window, and the arbiters' vote if \
                         the proposal is disputed. The arbiters may resolve the market invalid, which pays each \
                         side 50 cents.";

impl Question {
    /// A binary market with a cent tick, the regulated taker fee, and the question's close time.
    pub fn spec(&self) -> MarketSpec {
        MarketSpec {
            market: self.market,
            kind: MarketKind::Binary,
            tick_micros: 10_000,
            fees: REGULATED,
            close_time_ms: self.close_time_ms,
        }
    }

    /// The catalog entry: the question, the rules that decide it and where the answer comes from.
    pub fn info(&self) -> MarketInfo {
        let close = format_utc(self.close_time_ms);
        let expected = format_utc(self.expected_expiration_ms);
        let source = &self.resolution_source;
        let event = self.event.and_then(event_def);
        let grouped = match event {
            Some(e) if e.mutually_exclusive => {
                format!(
                    " It is one answer of the event \"{}\": at most one of that event's markets resolves YES.",
                    e.title
                )
            }
            Some(e) => format!(" It belongs to the event \"{}\".", e.title),
            None => String::new(),
        };
        MarketInfo {
            title: self.question.clone(),
            subtitle: format!("Trading closes {close}"),
            description: format!(
                "A real question, asked word for word on Polymarket (market {}); this venue lists it with its \
                 own close time, rules and slug, and its prices are this venue's, not Polymarket's.{grouped}",
                self.polymarket_id
            ),
            rules_primary: format!(
                "This market resolves YES if what the question asks happens as asked by the close time, {close}, \
                 according to the resolution source ({source}), and NO if it does not. Where the answer is \
                 published after the close time (results counted and certified, an award announced, a sentence \
                 reported), that publication decides, as long as it is about what happened by the close time; \
                 it is expected by {expected}."
            ),
            rules_secondary: format!(
                "If the event the question depends on is postponed past the close time (a game, a vote, a \
                 hearing or a publication moved), the market stays closed, without trading, until the \
                 rescheduled event's result is published, and resolves on it; if the event is cancelled \
                 outright, the market resolves NO. {AMBIGUITY}"
            ),
            resolution_source: source.clone(),
            category: self.category,
            tags: self.tags.clone(),
            slug: self.slug.clone(),
            outcome_names: OutcomeNames::Binary { yes: "Yes".into(), no: "No".into() },
            image_url: None,
            event: self.event.map(str::to_string),
            expected_expiration_ms: Some(self.expected_expiration_ms),
        }
    }

    /// The market as the simulation sees it: spec, catalog entry and fair price (a cent is a tick).
    pub fn demo_market(&self) -> DemoMarket {
        DemoMarket { spec: self.spec(), info: self.info(), fair_ticks: vec![i64::from(self.fair_yes_cents)] }
    }
}

fn event_def(ticker: &str) -> Option<&'static EventDef> {
    EVENTS.iter().find(|e| e.ticker == ticker)
}

/// The events `questions` belong to, in the order of [`EVENTS`], each once.
pub fn events_of<'a>(questions: impl IntoIterator<Item = &'a Question>) -> Vec<EventInfo> {
    let used: BTreeSet<&str> = questions.into_iter().filter_map(|q| q.event).collect();
    EVENTS.iter().filter(|e| used.contains(e.ticker)).map(EventDef::info).collect()
}

/// Why the whole file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file has no header line (expected {HEADER:?})")]
    NoHeader,
    #[error("the header is {found:?}; expected {HEADER:?}")]
    Header { found: String },
}

/// Why one row was refused (the other rows are still imported).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("a quoted field is not closed by the end of the line")]
    OpenQuote,
    #[error("a quote inside an unquoted field, or text after a closing quote")]
    StrayQuote,
    #[error("{found} fields; a row has {COLUMNS}")]
    FieldCount { found: usize },
    #[error("more than {ROWS_MAX} rows")]
    TooManyRows,
    #[error("market_id {0:?} is not a whole number")]
    BadMarketId(String),
    #[error("the question is empty")]
    EmptyQuestion,
    #[error("the question holds the control character U+{0:04X}")]
    ControlCharacter(u32),
    #[error("the question is {length} characters long; a title has at most {TITLE_MAX}")]
    TitleTooLong { length: usize },
    #[error("the question repeats line {line}'s")]
    DuplicateQuestion { line: usize },
    #[error("Polymarket market {id} is already on line {line}")]
    DuplicateMarketId { id: u64, line: usize },
    #[error("unknown category {0:?} (one of {list})", list = categories())]
    UnknownCategory(String),
    #[error("tags: {0}")]
    BadTags(String),
    #[error("{column} {value:?} is not a UTC time written like 2026-06-30T23:59:59Z")]
    BadTime { column: &'static str, value: String },
    #[error("the expected expiration {expected} is before the close time {close}")]
    ExpirationBeforeClose { close: String, expected: String },
    #[error("fair_yes_cents {0:?} is not a whole number of cents")]
    BadFairPrice(String),
    #[error("traded is {0:?}; it is yes or no")]
    BadTraded(String),
    #[error("unknown event {0:?} (the events are defined in questions.rs: {list})", list = event_tickers())]
    UnknownEvent(String),
    #[error("resolution_source: {0}")]
    BadResolutionSource(String),
}

fn categories() -> String {
    augury_catalog::CATEGORIES.iter().map(|c| c.id()).collect::<Vec<_>>().join(", ")
}

fn event_tickers() -> String {
    EVENTS.iter().map(|e| e.ticker).collect::<Vec<_>>().join(", ")
}

/// What the importer changed in a row it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Whitespace around the question was removed.
    TrimmedQuestion {
        from: String,
    },
    /// The fair price was moved inside 2..98 cents.
    ClampedFairPrice {
        from: u32,
        to: u32,
    },
    DroppedEmptyTag,
    DroppedRepeatedTag(String),
    /// The question's slug was taken (or empty) and another was made.
    SlugChanged {
        wanted: String,
        slug: String,
    },
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::TrimmedQuestion { from } => write!(f, "trimmed the whitespace around the question {from:?}"),
            Repair::ClampedFairPrice { from, to } => {
                write!(f, "fair price {from} cents clamped to {to} ({FAIR_MIN_CENTS}..{FAIR_MAX_CENTS})")
            }
            Repair::DroppedEmptyTag => write!(f, "dropped an empty tag"),
            Repair::DroppedRepeatedTag(tag) => write!(f, "dropped the repeated tag {tag:?}"),
            Repair::SlugChanged { wanted, slug } if wanted.is_empty() => {
                write!(f, "the question gives no slug; used {slug:?}")
            }
            Repair::SlugChanged { wanted, slug } => write!(f, "slug {wanted:?} is taken; used {slug:?}"),
        }
    }
}

/// A refused row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub line: usize,
    pub problem: RowProblem,
}

/// A repair in an accepted row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repaired {
    pub line: usize,
    pub repair: Repair,
}

/// Everything the importer refused or changed, by line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub refused: Vec<Refused>,
    pub repaired: Vec<Repaired>,
}

impl ImportReport {
    pub fn is_clean(&self) -> bool {
        self.refused.is_empty() && self.repaired.is_empty()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for Refused { line, problem } in &self.refused {
            writeln!(f, "line {line}: refused: {problem}")?;
        }
        for Repaired { line, repair } in &self.repaired {
            writeln!(f, "line {line}: repaired: {repair}")?;
        }
        Ok(())
    }
}

/// The accepted questions, in file order, and the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub questions: Vec<Question>,
    pub report: ImportReport,
}

/// The shipped questions (`data/real-questions.csv`).
pub fn shipped() -> Import {
    parse(SHIPPED).expect("the shipped file has the expected header")
}

/// Splits one CSV line into fields: commas separate, a field may be quoted (`"a, b"`, with `""`
/// for a quote inside).
fn fields(line: &str) -> Result<Vec<String>, RowProblem> {
    #[derive(PartialEq)]
    enum State {
        Start,
        Plain,
        Quoted,
        Closed,
    }
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut state = State::Start;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        state = match (state, c) {
            (State::Quoted, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
                State::Quoted
            }
            (State::Quoted, '"') => State::Closed,
            (State::Quoted, c) => {
                field.push(c);
                State::Quoted
            }
            (_, ',') => {
                fields.push(std::mem::take(&mut field));
                State::Start
            }
            (State::Start, '"') => State::Quoted,
            (State::Closed, _) | (State::Plain, '"') => return Err(RowProblem::StrayQuote),
            (_, c) => {
                field.push(c);
                State::Plain
            }
        };
    }
    if state == State::Quoted {
        return Err(RowProblem::OpenQuote);
    }
    fields.push(field);
    Ok(fields)
}

/// One row's fields checked, before the checks against other rows.
struct Row {
    polymarket_id: u64,
    question: String,
    category: Category,
    tags: Vec<String>,
    close_time_ms: TimestampMs,
    expected_expiration_ms: TimestampMs,
    fair_yes_cents: u32,
    traded: bool,
    event: Option<&'static str>,
    resolution_source: String,
}

fn check_row(fields: &[String], repairs: &mut Vec<Repair>) -> Result<Row, RowProblem> {
    if fields.len() != COLUMNS {
        return Err(RowProblem::FieldCount { found: fields.len() });
    }
    let [id, question, category, tags, close, expected, fair, traded, event, source] = fields else {
        unreachable!("the count is checked above")
    };
    let polymarket_id = match id.parse::<u64>() {
        Ok(n) if id.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => return Err(RowProblem::BadMarketId(id.clone())),
    };

    let trimmed = question.trim();
    if trimmed.is_empty() {
        return Err(RowProblem::EmptyQuestion);
    }
    if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
        return Err(RowProblem::ControlCharacter(u32::from(c)));
    }
    let length = trimmed.chars().count();
    if length > TITLE_MAX {
        // Cutting a question would change what it asks: refused, never shortened.
        return Err(RowProblem::TitleTooLong { length });
    }
    if trimmed != question {
        repairs.push(Repair::TrimmedQuestion { from: question.clone() });
    }

    let category = Category::from_id(category).ok_or_else(|| RowProblem::UnknownCategory(category.clone()))?;
    let tags = check_tags(tags, repairs)?;

    let time = |column: &'static str, value: &String| {
        parse_utc(value).ok_or_else(|| RowProblem::BadTime { column, value: value.clone() })
    };
    let close_time_ms = time("close_time", close)?;
    let expected_expiration_ms = time("expected_expiration", expected)?;
    if expected_expiration_ms < close_time_ms {
        return Err(RowProblem::ExpirationBeforeClose { close: close.clone(), expected: expected.clone() });
    }

    let cents = match fair.parse::<u32>() {
        Ok(n) if fair.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => return Err(RowProblem::BadFairPrice(fair.clone())),
    };
    let fair_yes_cents = cents.clamp(FAIR_MIN_CENTS, FAIR_MAX_CENTS);
    if fair_yes_cents != cents {
        repairs.push(Repair::ClampedFairPrice { from: cents, to: fair_yes_cents });
    }
    let traded = match traded.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(RowProblem::BadTraded(traded.clone())),
    };
    let event = match event.as_str() {
        "" => None,
        ticker => Some(event_def(ticker).ok_or_else(|| RowProblem::UnknownEvent(ticker.to_string()))?.ticker),
    };
    let resolution_source = source.trim();
    if resolution_source.is_empty() {
        return Err(RowProblem::BadResolutionSource("empty: every market names where its answer comes from".into()));
    }
    if resolution_source.chars().count() > RESOLUTION_SOURCE_MAX {
        return Err(RowProblem::BadResolutionSource(format!("longer than {RESOLUTION_SOURCE_MAX} characters")));
    }
    if resolution_source.chars().any(char::is_control) {
        return Err(RowProblem::BadResolutionSource("holds a control character".into()));
    }
    Ok(Row {
        polymarket_id,
        question: trimmed.to_string(),
        category,
        tags,
        close_time_ms,
        expected_expiration_ms,
        fair_yes_cents,
        traded,
        event,
        resolution_source: resolution_source.to_string(),
    })
}

/// Tags separated by ';': empty ones and repeats are dropped (and reported); more than the
/// catalog allows, one too long or one with a control character refuses the row.
fn check_tags(field: &str, repairs: &mut Vec<Repair>) -> Result<Vec<String>, RowProblem> {
    let mut tags: Vec<String> = Vec::new();
    for tag in field.split(';').map(str::trim) {
        if tag.is_empty() {
            // An empty field is no tags at all, not an empty tag.
            if !field.trim().is_empty() {
                repairs.push(Repair::DroppedEmptyTag);
            }
        } else if tags.iter().any(|t| t == tag) {
            repairs.push(Repair::DroppedRepeatedTag(tag.to_string()));
        } else if tag.chars().count() > TAG_MAX {
            return Err(RowProblem::BadTags(format!("{tag:?} is longer than {TAG_MAX} characters")));
        } else if tag.chars().any(char::is_control) {
            return Err(RowProblem::BadTags(format!("{tag:?} holds a control character")));
        } else {
            tags.push(tag.to_string());
        }
    }
    if tags.len() > TAGS_MAX {
        return Err(RowProblem::BadTags(format!("{} tags; at most {TAGS_MAX}", tags.len())));
    }
    Ok(tags)
}

/// Reads a questions file: comment lines (`#`) and blank lines are skipped, the header must be
/// [`HEADER`], and each row is accepted, repaired or refused (see the module's description).
pub fn parse(text: &str) -> Result<Import, ImportError> {
    let mut content = text
        .lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty());
    let (_, header) = content.next().ok_or(ImportError::NoHeader)?;
    if header != HEADER {
        return Err(ImportError::Header { found: header.to_string() });
    }

    let mut import = Import { questions: Vec::new(), report: ImportReport::default() };
    let mut questions_seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids_seen: BTreeMap<u64, usize> = BTreeMap::new();
    let mut slugs = BTreeSet::new();
    for (row, (line, text)) in content.enumerate() {
        let row = row as u32 + 1;
        let mut repairs = Vec::new();
        let checked = if row > ROWS_MAX {
            Err(RowProblem::TooManyRows)
        } else {
            fields(text).and_then(|fields| check_row(&fields, &mut repairs))
        };
        // Then the checks against the rows accepted before it.
        let checked = checked.and_then(|r| {
            // The same question differently capitalised or spaced is still the same question.
            let key = r.question.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            if let Some(&first) = questions_seen.get(&key) {
                return Err(RowProblem::DuplicateQuestion { line: first });
            }
            if let Some(&first) = ids_seen.get(&r.polymarket_id) {
                return Err(RowProblem::DuplicateMarketId { id: r.polymarket_id, line: first });
            }
            questions_seen.insert(key, line);
            ids_seen.insert(r.polymarket_id, line);
            Ok(r)
        });
        let r = match checked {
            Ok(r) => r,
            Err(problem) => {
                import.report.refused.push(Refused { line, problem });
                continue;
            }
        };
        let wanted = slug::slugify(&r.question);
        let base = if wanted.is_empty() { format!("polymarket-{}", r.polymarket_id) } else { wanted.clone() };
        let slug = slug::unique(&base, &mut slugs);
        if slug != wanted {
            repairs.push(Repair::SlugChanged { wanted, slug: slug.clone() });
        }
        import.report.repaired.extend(repairs.into_iter().map(|repair| Repaired { line, repair }));
        import.questions.push(Question {
            line,
            market: MarketId(QUESTION_MARKET_BASE.get() + row),
            polymarket_id: r.polymarket_id,
            question: r.question,
            category: r.category,
            tags: r.tags,
            close_time_ms: r.close_time_ms,
            expected_expiration_ms: r.expected_expiration_ms,
            fair_yes_cents: r.fair_yes_cents,
            traded: r.traded,
            event: r.event,
            resolution_source: r.resolution_source,
            slug,
        });
    }
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;
    use augury_catalog::Catalog;

    const ROW: &str = "553826,Will the Edmonton Oilers win the 2026 NHL Stanley Cup?,sports,nhl;hockey,\
                       2026-06-30T23:59:59Z,2026-06-30T23:59:59Z,7,no,NHL-STANLEY-CUP-2026,Official NHL results";

    fn file(rows: &[&str]) -> String {
        format!("# a comment\n{HEADER}\n{}\n", rows.join("\n"))
    }

    #[test]
    fn the_shipped_questions_import_with_only_the_sources_trailing_spaces_trimmed() {
        let import = shipped();
        assert!(import.report.refused.is_empty(), "{}", import.report);
        assert_eq!(import.questions.len(), 26);
        // The source's own text ends "2026? ": kept in the file, trimmed here, and said so.
        assert_eq!(
            import.report.repaired,
            vec![Repaired {
                line: 29,
                repair: Repair::TrimmedQuestion {
                    from: "Will Hyperliquid perform an airdrop by December 31, 2026? ".into()
                },
            }]
        );
        assert_eq!(import.report.to_string(), "line 29: repaired: trimmed the whitespace around the question \"Will Hyperliquid perform an airdrop by December 31, 2026? \"\n");
        let q = &import.questions;
        assert_eq!(q[0].market, MarketId(1_001));
        assert_eq!(q[0].question, "Will the Edmonton Oilers win the 2026 NHL Stanley Cup?");
        assert_eq!(q[0].close_time_ms, parse_utc("2026-06-30T23:59:59Z").unwrap());
        assert_eq!(q[15].question, "Will Carlos Álvarez win the 2026 Peruvian presidential election?");
        assert_eq!(q[15].slug, "will-carlos-alvarez-win-the-2026-peruvian-presidential-election");
        assert_eq!(q.iter().filter(|q| q.traded).count(), 6);
        let categories: BTreeSet<Category> = q.iter().map(|q| q.category).collect();
        assert!(categories.len() >= 7, "{categories:?}");
        // Every market id is in the questions' block, every slug unique.
        assert!(q.iter().all(|q| (1_001..10_000).contains(&q.market.get())));
        assert_eq!(q.iter().map(|q| &q.slug).collect::<BTreeSet<_>>().len(), q.len());
        let events = events_of(q);
        assert_eq!(events.len(), EVENTS.len(), "every event has questions");
        assert_eq!(q.iter().filter(|q| q.event == Some("WEINSTEIN-SENTENCE-2026")).count(), 6);
    }

    /// Every shipped listing passes the catalog's own checks (limits, slugs, events).
    #[test]
    fn every_shipped_listing_is_one_the_catalog_accepts() {
        let import = shipped();
        let mut catalog = Catalog::new();
        for event in events_of(&import.questions) {
            catalog.create_event(event, 0).unwrap();
        }
        for market in crate::demo_markets() {
            catalog.check_listing(&market.spec, &market.info).unwrap();
            catalog.list_market(&market.spec, market.info.clone(), 0);
        }
        for q in &import.questions {
            let (spec, info) = (q.spec(), q.info());
            catalog.check_listing(&spec, &info).unwrap_or_else(|e| panic!("line {}: {e}", q.line));
            assert_eq!(info.title, q.question);
            assert!(info.rules_primary.contains(&format_utc(q.close_time_ms)), "{}", info.rules_primary);
            assert!(info.rules_primary.contains(&q.resolution_source));
            assert!(info.rules_secondary.contains("postponed") && info.rules_secondary.contains("invalid"));
            assert_eq!(info.expected_expiration_ms, Some(q.expected_expiration_ms));
            assert!(spec.close_time_ms > 0 && spec.close_time_ms <= q.expected_expiration_ms);
            catalog.list_market(&spec, info, 0);
        }
        let weinstein: Vec<MarketId> = catalog.event_markets("WEINSTEIN-SENTENCE-2026").collect();
        assert_eq!(weinstein.len(), 6);
        assert!(catalog.event("WEINSTEIN-SENTENCE-2026").unwrap().info.mutually_exclusive);
    }

    #[test]
    fn a_clean_row_imports_as_written() {
        let import = parse(&file(&[ROW])).unwrap();
        assert!(import.report.is_clean(), "{}", import.report);
        let q = &import.questions[0];
        assert_eq!((q.line, q.market, q.polymarket_id), (3, MarketId(1_001), 553_826));
        assert_eq!(q.tags, ["nhl", "hockey"]);
        assert_eq!(q.event, Some("NHL-STANLEY-CUP-2026"));
        assert_eq!(q.fair_yes_cents, 7);
        assert!(!q.traded);
    }

    /// Dirty rows: each refused with its line and reason, or repaired and reported, while the
    /// clean rows around them still import (and keep their market ids).
    #[test]
    fn dirty_rows_are_refused_or_repaired_and_reported() {
        let rows = [
            ROW,
            // 4: a category the catalog does not have.
            "1,Will it rain in Paris on 1 July 2026?,weather,,2026-07-01T23:59:59Z,2026-07-02T12:00:00Z,30,no,,Météo-France",
            // 5: a local time, not UTC.
            "2,Will it snow in Oslo on 1 July 2026?,climate_weather,,2026-07-01 23:59,2026-07-02T12:00:00Z,3,no,,MET Norway",
            // 6: the same question as line 3, spaced and capitalised differently.
            "3,will the Edmonton  Oilers win the 2026 NHL Stanley Cup?,sports,,2026-06-30T23:59:59Z,2026-06-30T23:59:59Z,7,no,,NHL",
            // 7: a question too long for a title.
            &format!("4,Will {}?,other,,2026-06-30T23:59:59Z,2026-06-30T23:59:59Z,50,no,,Somewhere", "x".repeat(200)),
            // 8: repaired: spaces around the question, a price below 2 cents, tags with a gap and a repeat.
            "5,\"  Will the Moon landing be televised, again?  \",science_technology,space;;space;nasa,2026-08-01T00:00:00Z,2026-08-01T00:00:00Z,1,yes,,NASA",
            // 9: an event nobody defined.
            "6,Will Team X win the 2026 Cup?,sports,,2026-06-30T23:59:59Z,2026-06-30T23:59:59Z,50,no,CUP-2026,Official results",
            // 10: the expected expiration before the close.
            "7,Will Y happen by May 1?,world,,2026-05-01T23:59:59Z,2026-04-01T00:00:00Z,50,no,,News",
            // 11: a quote left open, and 12: too few fields.
            "8,\"Will Z happen?,world,,2026-05-01T23:59:59Z,2026-05-01T23:59:59Z,50,no,,News",
            "9,Will W happen?,world",
            // 13: a Polymarket id seen on line 3, and 14: a price that is not a number.
            "553826,Will V happen?,world,,2026-05-01T23:59:59Z,2026-05-01T23:59:59Z,50,no,,News",
            "10,Will U happen?,world,,2026-05-01T23:59:59Z,2026-05-01T23:59:59Z,0.5,no,,News",
            // 15: a question with no ASCII letters gets a slug from its id; 16: its question's slug is taken.
            "11,習近平會下台嗎？,world,china,2026-12-31T23:59:59Z,2026-12-31T23:59:59Z,8,no,,Xinhua",
            "12,Will the Edmonton Oilers win the 2026 NHL Stanley Cup!,sports,,2026-06-30T23:59:59Z,2026-06-30T23:59:59Z,7,no,,NHL",
        ];
        let import = parse(&file(&rows)).unwrap();
        let refused: Vec<(usize, &RowProblem)> = import.report.refused.iter().map(|r| (r.line, &r.problem)).collect();
        assert_eq!(
            refused,
            vec![
                (4, &RowProblem::UnknownCategory("weather".into())),
                (5, &RowProblem::BadTime { column: "close_time", value: "2026-07-01 23:59".into() }),
                (6, &RowProblem::DuplicateQuestion { line: 3 }),
                (7, &RowProblem::TitleTooLong { length: 206 }),
                (9, &RowProblem::UnknownEvent("CUP-2026".into())),
                (
                    10,
                    &RowProblem::ExpirationBeforeClose {
                        close: "2026-05-01T23:59:59Z".into(),
                        expected: "2026-04-01T00:00:00Z".into()
                    }
                ),
                (11, &RowProblem::OpenQuote),
                (12, &RowProblem::FieldCount { found: 3 }),
                (13, &RowProblem::DuplicateMarketId { id: 553_826, line: 3 }),
                (14, &RowProblem::BadFairPrice("0.5".into())),
            ]
        );
        let repaired: Vec<(usize, &Repair)> = import.report.repaired.iter().map(|r| (r.line, &r.repair)).collect();
        assert_eq!(
            repaired,
            vec![
                (8, &Repair::TrimmedQuestion { from: "  Will the Moon landing be televised, again?  ".into() }),
                (8, &Repair::DroppedEmptyTag),
                (8, &Repair::DroppedRepeatedTag("space".into())),
                (8, &Repair::ClampedFairPrice { from: 1, to: 2 }),
                (15, &Repair::SlugChanged { wanted: String::new(), slug: "polymarket-11".into() }),
                (
                    16,
                    &Repair::SlugChanged {
                        wanted: "will-the-edmonton-oilers-win-the-2026-nhl-stanley-cup".into(),
                        slug: "will-the-edmonton-oilers-win-the-2026-nhl-stanley-cup-2".into()
                    }
                ),
            ]
        );
        let accepted: Vec<(usize, MarketId)> = import.questions.iter().map(|q| (q.line, q.market)).collect();
        assert_eq!(
            accepted,
            vec![(3, MarketId(1_001)), (8, MarketId(1_006)), (15, MarketId(1_013)), (16, MarketId(1_014))]
        );
        let moon = &import.questions[1];
        assert_eq!(moon.question, "Will the Moon landing be televised, again?");
        assert_eq!(
            (moon.tags.as_slice(), moon.fair_yes_cents, moon.traded),
            (&["space".to_string(), "nasa".to_string()][..], 2, true)
        );
        // The report reads line by line, with reasons a person can act on.
        let text = import.report.to_string();
        assert!(text.contains("line 4: refused: unknown category \"weather\" (one of politics, elections"), "{text}");
        assert!(
            text.contains("line 7: refused: the question is 206 characters long; a title has at most 200"),
            "{text}"
        );
        assert!(text.contains("line 8: repaired: fair price 1 cents clamped to 2 (2..98)"), "{text}");
    }

    #[test]
    fn a_wrong_header_refuses_the_whole_file() {
        assert_eq!(parse("# only a comment\n\n"), Err(ImportError::NoHeader));
        let swapped = HEADER.replace("question,market_id", "x").replace("market_id,question", "question,market_id");
        assert_eq!(parse(&format!("{swapped}\n{ROW}\n")), Err(ImportError::Header { found: swapped.clone() }));
        // Windows line ends are fine.
        let crlf = format!("{HEADER}\r\n{ROW}\r\n");
        assert_eq!(parse(&crlf).unwrap().questions.len(), 1);
    }

    #[test]
    fn quoted_fields_split_like_csv() {
        assert_eq!(fields("a,\"b, c\",\"say \"\"hi\"\"\",").unwrap(), ["a", "b, c", "say \"hi\"", ""]);
        assert_eq!(fields("a\"b,c"), Err(RowProblem::StrayQuote));
        assert_eq!(fields("\"a\"b,c"), Err(RowProblem::StrayQuote));
        assert_eq!(fields("\"a,b"), Err(RowProblem::OpenQuote));
    }
}
