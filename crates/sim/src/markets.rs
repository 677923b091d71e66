//! The demo venue's own three markets (a binary, a categorical and a scalar market about crypto
//! prices), each with its engine spec, its catalog entry (the question, the rules that decide
//! it, where the answer comes from) and the simulated traders' starting idea of its fair prices.

use crate::utc::parse_utc;
use augury_catalog::{Category, MarketInfo, OutcomeNames};
use augury_core::{FeeRule, FeeSchedule, MarketId, MarketKind, MarketSpec, OutcomeIndex};
use augury_sequencer::VenueCommand;

/// One market the simulation trades: its spec, what it asks, and the traders' fair YES price per
/// outcome, in ticks.
#[derive(Clone, Debug)]
pub struct DemoMarket {
    pub spec: MarketSpec,
    /// Its catalog entry.
    pub info: MarketInfo,
    pub(crate) fair_ticks: Vec<i64>,
}

impl DemoMarket {
    /// The question.
    pub fn title(&self) -> &str {
        &self.info.title
    }

    /// The label of an outcome's YES side ("BTC" in the categorical market, "Long" in the scalar).
    pub fn outcome_name(&self, outcome: OutcomeIndex) -> Option<&str> {
        self.info.outcome_names.outcome_label(outcome)
    }

    /// The command that creates the market and its catalog entry in one journal entry.
    pub fn listing(&self) -> VenueCommand {
        VenueCommand::ListMarket { spec: self.spec, info: Box::new(self.info.clone()) }
    }
}

/// Takers pay `7% x C x P x (1 - P)` rounded up to the cent, makers nothing: the fee regulated
/// venues charge on binary contracts.
pub(crate) const REGULATED: FeeSchedule =
    FeeSchedule { maker: FeeRule::Zero, taker: FeeRule::Quadratic { rate_ppm: 70_000, rounding_micros: 10_000 } };

fn at(utc: &str) -> u64 {
    parse_utc(utc).expect("a valid UTC time in the source")
}

/// What decides disputes, in every demo market's fine print.
const DISPUTES: &str = "Disputes go through the venue's resolution process: a proposal with a bond, a liveness \
                        window, and the arbiters' vote if the proposal is disputed.";

/// The demo venue's markets. Their specs have no close time (the operator closes them), so the
/// simulation can run at any clock; their questions are about the end of 2026 and early 2027.
pub fn demo_markets() -> Vec<DemoMarket> {
    vec![
        DemoMarket {
            spec: MarketSpec {
                market: MarketId(1),
                kind: MarketKind::Binary,
                tick_micros: 10_000,
                fees: REGULATED,
                close_time_ms: 0,
            },
            info: MarketInfo {
                title: "Will Bitcoin close 2026 at or above $100,000?".into(),
                subtitle: "Bitstamp's BTC/USD daily close on 31 December 2026".into(),
                description: "A YES contract pays $1 if Bitcoin's last Bitstamp price of 2026 is at or above \
                              $100,000, and nothing otherwise. One of the demo's three markets: seeded \
                              simulated traders quote and take around a drifting fair value."
                    .into(),
                rules_primary: "Resolves YES if the Bitstamp BTC/USD daily close for 31 December 2026 (the last \
                                trade of the day that ends at 2027-01-01 00:00:00 UTC, as Bitstamp's daily OHLC \
                                data publishes it) is at or above $100,000.00, and NO if it is below."
                    .into(),
                rules_secondary: format!(
                    "If Bitstamp publishes no daily close for that day, the last BTC/USD trade on Bitstamp \
                     before 2027-01-01 00:00:00 UTC decides. A correction Bitstamp publishes before the market \
                     resolves is used; one published later is not. {DISPUTES}"
                ),
                resolution_source: "Bitstamp BTC/USD daily close (Bitstamp's public OHLC data)".into(),
                category: Category::Crypto,
                tags: vec!["bitcoin".into(), "btc".into(), "price".into()],
                slug: "bitcoin-close-2026-at-or-above-100000".into(),
                outcome_names: OutcomeNames::Binary { yes: "At or above $100,000".into(), no: "Below $100,000".into() },
                image_url: None,
                event: None,
                expected_expiration_ms: Some(at("2027-01-01T00:00:00Z")),
            },
            fair_ticks: vec![42],
        },
        DemoMarket {
            spec: MarketSpec {
                market: MarketId(2),
                kind: MarketKind::Categorical { outcomes: 4 },
                tick_micros: 10_000,
                fees: FeeSchedule::ZERO,
                close_time_ms: 0,
            },
            info: MarketInfo {
                title: "Which of Bitcoin, Ether and Litecoin will return the most in Q1 2027?".into(),
                subtitle: "Bitstamp USD daily closes, 31 December 2026 to 31 March 2027".into(),
                description: "Four outcomes, exactly one of which wins: BTC, ETH, LTC, or none of these when \
                              all three lose value over the quarter. One of the demo's three markets."
                    .into(),
                rules_primary: "Each asset's return is its Bitstamp USD daily close for 31 March 2027 divided by \
                                its Bitstamp USD daily close for 31 December 2026, minus one (BTC/USD, ETH/USD \
                                and LTC/USD; a day's close is the last trade before 00:00:00 UTC of the next \
                                day). The market resolves to the asset with the highest return if that return \
                                is above zero, and to \"none of these\" if no asset's return is above zero."
                    .into(),
                rules_secondary: format!(
                    "Returns are compared rounded to a hundredth of a percent; if two or more assets share the \
                     highest positive return, the market resolves invalid (every outcome pays alike). A missing \
                     daily close is replaced by the last trade on Bitstamp before that day's end. {DISPUTES}"
                ),
                resolution_source: "Bitstamp BTC/USD, ETH/USD and LTC/USD daily closes (Bitstamp's public OHLC data)"
                    .into(),
                category: Category::Crypto,
                tags: vec!["bitcoin".into(), "ethereum".into(), "litecoin".into(), "returns".into()],
                slug: "which-crypto-returns-most-q1-2027".into(),
                outcome_names: OutcomeNames::Categorical {
                    labels: vec!["BTC".into(), "ETH".into(), "LTC".into(), "none of these".into()],
                },
                image_url: None,
                event: None,
                expected_expiration_ms: Some(at("2027-04-01T00:00:00Z")),
            },
            fair_ticks: vec![40, 30, 10, 20],
        },
        DemoMarket {
            spec: MarketSpec {
                market: MarketId(3),
                kind: MarketKind::Scalar { floor: 2_000, cap: 4_000 },
                tick_micros: 1_000,
                fees: FeeSchedule {
                    maker: FeeRule::Zero,
                    taker: FeeRule::Proportional { rate_ppm: 2_000, rounding_micros: 1 },
                },
                close_time_ms: 0,
            },
            info: MarketInfo {
                title: "What will Ether's price be at the end of 2026?".into(),
                subtitle: "Bitstamp's ETH/USD daily close on 31 December 2026, between $2,000 and $4,000".into(),
                description: "A scalar market: LONG gains as the price rises from $2,000 to $4,000, SHORT as it \
                              falls. One of the demo's three markets."
                    .into(),
                rules_primary: "Resolves to the Bitstamp ETH/USD daily close for 31 December 2026 (the last trade \
                                of the day that ends at 2027-01-01 00:00:00 UTC), in whole US dollars rounded \
                                down. LONG pays (value - 2,000) / 2,000 of a dollar, clamped to 0..1: nothing at \
                                or below $2,000, a dollar at or above $4,000. SHORT pays the rest of the dollar."
                    .into(),
                rules_secondary: format!(
                    "If Bitstamp publishes no daily close for that day, the last ETH/USD trade on Bitstamp \
                     before 2027-01-01 00:00:00 UTC decides. A correction Bitstamp publishes before the market \
                     resolves is used; one published later is not. {DISPUTES}"
                ),
                resolution_source: "Bitstamp ETH/USD daily close (Bitstamp's public OHLC data)".into(),
                category: Category::Crypto,
                tags: vec!["ethereum".into(), "eth".into(), "price".into()],
                slug: "ether-price-end-of-2026".into(),
                outcome_names: OutcomeNames::Scalar {
                    unit: "USD".into(),
                    floor_label: "$2,000 or below: LONG pays nothing, SHORT pays $1".into(),
                    cap_label: "$4,000 or above: LONG pays $1, SHORT pays nothing".into(),
                },
                image_url: None,
                event: None,
                expected_expiration_ms: Some(at("2027-01-01T00:00:00Z")),
            },
            fair_ticks: vec![550],
        },
    ]
}
