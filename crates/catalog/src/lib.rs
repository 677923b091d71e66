//! The market catalog: what a market asks and how it is grouped, beside the engine's numbers.
//!
//! The engine knows a market as a kind, a price grid and fees. The catalog holds what people read:
//! the question (`title`), the rules that decide it, where the answer comes from, a category and
//! tags, a unique URL slug, the names of its outcomes, and the event and series it belongs to. An
//! event groups markets about one happening (mutually exclusive or not); a series groups recurring
//! events (the demo's daily BTC listings are one series).
//!
//! Like the engine, the catalog is a deterministic state machine: it changes only through the
//! venue's journaled commands, every edit is kept as a [`Revision`] (what changed, from what, when
//! and by whom), and a refused change (a field over its limit, a duplicate slug, an unknown event)
//! changes nothing. Text is stored exactly as given; whoever renders it escapes it.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod catalog;
pub mod category;
pub mod info;
pub mod limits;

pub use catalog::{Catalog, CatalogReject, Listed, Revision};
pub use category::{Category, CATEGORIES};
pub use info::{EventChange, EventInfo, MarketChange, MarketInfo, OutcomeNames, SeriesChange, SeriesInfo};
