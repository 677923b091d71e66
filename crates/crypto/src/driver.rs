//! The replay driver: the shell around the pure parts. One [`Driver::step`] is one replayed
//! hour `t`, in this order:
//!
//! 1. the venue clock moves to `t` (the sequencer journals it as `AdvanceTime`; markets expiring
//!    at `t` close and their resting orders are cancelled);
//! 2. each asset's candle closing at `t` goes to the intelligence endpoints and its close, in
//!    cents, is recorded as the asset's index value at `t` (`RecordIndexValue`): markets whose
//!    rule samples `t` resolve and settle by themselves;
//! 3. settled markets are redeemed for the market maker and the takers;
//! 4. at 00:00 UTC the threshold model is refitted (on the year before, as the API does) and the
//!    day's markets are listed: one catalog event per asset (`CreateEvent`), then each market with
//!    its catalog entry (`ListMarket`: the question, rules, resolution source, slug), then its
//!    rule (`SetMarketRule`);
//! 5. the market maker requotes every open market from P(price >= K at expiry), computed from
//!    candles closed by `t` only, skewed by its inventory and within its limits
//!    ([`crate::quote`]); pairs of YES and NO it holds are merged back into collateral;
//! 6. seeded noise takers sometimes cross its quotes (IOC), so it trades and carries inventory.
//!
//! Before the first step, each asset's series (`BTC-DAILY`) is created in the catalog if the venue
//! does not have it yet (a restarted replay finds it there).
//!
//! Every change goes through the sequencer as a command, the path the API uses; the driver never
//! touches the engine directly and reads it only through queries.

use crate::config::{ReplayConfig, MARKET_MAKER, TAKERS};
use crate::data::{index_value, ReplayAsset, INDEX_UNITS_PER_DOLLAR};
use crate::listing::{self, Listing};
use crate::quote::{self, Level, Quote};
use augury_catalog::CatalogReject;
use augury_core::{
    Action, Command, Event, MarketId, MarketStatus, Micros, NewOrder, OrderId, OrderType, Reject, SelfTradePrevention,
    Side, TimeInForce, MICROS_PER_DOLLAR,
};
use augury_gateway::history::OrderStatus;
use augury_gateway::intel::IndexInfo;
use augury_gateway::AppState;
use augury_intel::candle::{format_time, Series, MS_PER_DAY, MS_PER_HOUR};
use augury_intel::live::{self, LiveFit};
use augury_sequencer::{SequencerHandle, SubmitError, VenueClock, VenueCommand, VenueOutcome, VenueReject};
use augury_sim::SplitMix64;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("replay settings: {0}")]
    Config(String),
    #[error("the venue did not take a command: {0}")]
    Submit(#[from] SubmitError),
    #[error("the replay's setup was refused: {0}")]
    Setup(Reject),
    #[error("a listing was refused: {0}")]
    Listing(VenueReject),
}

/// What one replayed hour did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepReport {
    pub at_ms: i64,
    pub index_values: u32,
    pub listed: Vec<MarketId>,
    pub resolved: Vec<MarketId>,
    pub orders_placed: u32,
    pub orders_cancelled: u32,
    pub taker_orders: u32,
    pub fills: u32,
}

/// A resting quote of the market maker's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Resting {
    order: OrderId,
    level: Level,
}

#[derive(Clone, Debug)]
struct Listed {
    listing: Listing,
    bid: Option<Resting>,
    ask: Option<Resting>,
}

/// What the engine says about one listed market before a requote.
#[derive(Clone, Copy, Debug)]
struct MarketState {
    status: Option<MarketStatus>,
    yes: u64,
    no: u64,
    /// Remaining quantity of the bid and ask orders still resting.
    bid_left: Option<u64>,
    ask_left: Option<u64>,
}

pub struct Driver {
    state: Arc<AppState>,
    clock: VenueClock,
    config: ReplayConfig,
    assets: Vec<ReplayAsset>,
    fits: Vec<Option<LiveFit>>,
    listed: BTreeMap<MarketId, Listed>,
    now_ms: i64,
    end_ms: i64,
    ticks_per_dollar: u32,
}

fn sequencer(state: &AppState) -> &SequencerHandle {
    &state.sequencer
}

/// Submits commands together (so the sequencer can take them as one batch, one fsync) and returns
/// each outcome in order. They are queued in the order given, so a replay journals the same
/// commands in the same order every time.
async fn submit_all(state: &AppState, commands: Vec<Command>) -> Result<Vec<Result<Vec<Event>, Reject>>, DriverError> {
    let handle = sequencer(state);
    let queued = commands.into_iter().map(|command| handle.submit_queued(command)).collect::<Result<Vec<_>, _>>()?;
    let mut outcomes = Vec::with_capacity(queued.len());
    for answer in queued {
        outcomes.push(answer.await?);
    }
    Ok(outcomes)
}

/// Executes venue commands one after another, each answered once durable, in the order given (so
/// a replay journals the same commands in the same order every time), and returns each outcome.
async fn execute_all(
    state: &AppState,
    commands: Vec<VenueCommand>,
) -> Result<Vec<Result<VenueOutcome, VenueReject>>, DriverError> {
    let mut outcomes = Vec::with_capacity(commands.len());
    for command in commands {
        outcomes.push(sequencer(state).execute_async(command).await?);
    }
    Ok(outcomes)
}

/// A post-only GTC order for one side of a quote: the bid buys YES at its price, the ask buys NO
/// at a dollar less the ask (the market maker never needs inventory to quote).
fn quote_order(tick: Micros, ticks_per_dollar: u32, market: MarketId, is_bid: bool, level: Level) -> Command {
    let (side, ticks) = if is_bid { (Side::Yes, level.ticks) } else { (Side::No, ticks_per_dollar - level.ticks) };
    Command::PlaceOrder {
        order: NewOrder {
            order: OrderId(0),
            account: MARKET_MAKER,
            market,
            outcome: 0,
            side,
            action: Action::Buy,
            order_type: OrderType::Limit { price_micros: u64::from(ticks) * tick },
            quantity: level.quantity,
            time_in_force: TimeInForce::Gtc,
            post_only: true,
            self_trade: SelfTradePrevention::CancelTaker,
        },
    }
}

fn ceil_to_hour(ms: i64) -> i64 {
    (ms + MS_PER_HOUR - 1).div_euclid(MS_PER_HOUR) * MS_PER_HOUR
}

impl Driver {
    /// Prepares a replay of `assets` on the venue behind `state`, whose time comes from `clock`.
    /// A fresh venue starts at the configured start; a venue that replayed before carries on
    /// from its clock (the hour in progress is replayed again: every step is idempotent).
    pub async fn new(
        state: Arc<AppState>,
        clock: VenueClock,
        config: ReplayConfig,
        assets: Vec<ReplayAsset>,
    ) -> Result<Driver, DriverError> {
        if let Some(problem) = config.problem() {
            return Err(DriverError::Config(problem));
        }
        if assets.is_empty() || assets.len() > listing::ASSETS_MAX as usize {
            return Err(DriverError::Config(format!("replay 1 to {} assets", listing::ASSETS_MAX)));
        }
        let data_start = assets.iter().filter_map(|a| a.series.candles.first()).map(|c| c.open_time_ms).max();
        if data_start.is_none_or(|first| config.start_ms < first + 30 * MS_PER_DAY) {
            return Err(DriverError::Config(format!(
                "the replay starts at least 30 days into the data (which starts {})",
                data_start.map_or("nowhere".into(), format_time)
            )));
        }
        let venue_ms = sequencer(&state).query(|venue| venue.engine().clock_ms()).await? as i64;
        let now_ms = ceil_to_hour(venue_ms.max(config.start_ms));
        let data_end = assets.iter().map(ReplayAsset::end_ms).min().unwrap_or(0);
        let end_ms = match config.days {
            Some(days) => data_end.min(config.start_ms + i64::from(days) * MS_PER_DAY),
            None => data_end,
        };
        let ticks_per_dollar = (MICROS_PER_DOLLAR / config.tick_micros) as u32;
        let fits = vec![None; assets.len()];
        let mut driver =
            Driver { state, clock, config, assets, fits, listed: BTreeMap::new(), now_ms, end_ms, ticks_per_dollar };
        if driver.finished() {
            return Ok(driver);
        }
        driver.clock.set(now_ms as u64);
        driver.fund_accounts().await?;
        driver.create_series().await?;
        // The intelligence endpoints know the history up to the replay's moment, no further, and
        // which index follows which asset (so they can describe and price the markets).
        for asset in &driver.assets {
            let info = IndexInfo { symbol: asset.symbol.to_string(), units_per_price: INDEX_UNITS_PER_DOLLAR };
            driver.state.intel.set_index(asset.index, info);
            let known = asset.series.known_at(now_ms - 1).to_vec();
            let series = Series { interval: asset.series.interval, candles: known };
            if let Err(e) = driver.state.intel.insert_series(asset.symbol, series) {
                tracing::warn!(symbol = asset.symbol, error = %e, "replayed candles not served");
            }
        }
        driver.refit(live::day_of(now_ms));
        driver.resume_markets().await?;
        Ok(driver)
    }

    /// The replayed moment the next step acts at.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The last replayed moment (the earliest last close among the assets, or the configured
    /// number of days).
    pub fn end_ms(&self) -> i64 {
        self.end_ms
    }

    pub fn finished(&self) -> bool {
        self.now_ms > self.end_ms
    }

    /// The markets being quoted now, with their terms.
    pub fn open_markets(&self) -> Vec<Listing> {
        self.listed.values().map(|l| l.listing.clone()).collect()
    }

    /// Deposits for the market maker and the takers, once (an account that exists is left alone).
    async fn fund_accounts(&self) -> Result<(), DriverError> {
        let mut accounts = vec![(MARKET_MAKER, self.config.market_maker_funding_micros)];
        if self.config.taker_percent > 0 {
            accounts.extend(TAKERS.iter().map(|&t| (t, self.config.taker_funding_micros)));
        }
        let ids: Vec<_> = accounts.iter().map(|(a, _)| *a).collect();
        let exists: Vec<bool> = sequencer(&self.state)
            .query(move |venue| ids.iter().map(|&a| venue.engine().account(a).is_some()).collect())
            .await?;
        let deposits: Vec<Command> = accounts
            .iter()
            .zip(exists)
            .filter(|&(&(_, amount), exists)| !exists && amount > 0)
            .map(|(&(account, amount_micros), _)| Command::Deposit { account, amount_micros })
            .collect();
        for outcome in submit_all(&self.state, deposits).await? {
            outcome.map_err(DriverError::Setup)?;
        }
        Ok(())
    }

    /// Creates each asset's series in the catalog unless the venue has it (from an earlier start).
    async fn create_series(&self) -> Result<(), DriverError> {
        let series: Vec<_> = self.assets.iter().map(|a| listing::series_info(&a.terms())).collect();
        let tickers: Vec<String> = series.iter().map(|s| s.ticker.clone()).collect();
        let present: Vec<bool> = sequencer(&self.state)
            .query(move |venue| tickers.iter().map(|t| venue.state().catalog().series(t).is_some()).collect())
            .await?;
        let missing = series
            .into_iter()
            .zip(present)
            .filter(|(_, present)| !present)
            .map(|(series, _)| VenueCommand::CreateSeries { series });
        for outcome in execute_all(&self.state, missing.collect()).await? {
            match outcome {
                Ok(_) | Err(VenueReject::Catalog(CatalogReject::DuplicateSeries { .. })) => {}
                Err(reject) => return Err(DriverError::Listing(reject)),
            }
        }
        Ok(())
    }

    /// After a restart: the markets of the day in progress (and of the day that ends now), and
    /// no resting order of the market maker's that the driver does not know of.
    async fn resume_markets(&mut self) -> Result<(), DriverError> {
        let mut candidates = Vec::new();
        for day in [live::day_of(self.now_ms - 1), live::day_of(self.now_ms)] {
            for (a, asset) in self.assets.iter().enumerate() {
                for slot in 0..listing::SLOTS_PER_ASSET {
                    candidates.push((listing::market_id(day, a as u32, slot), a, asset.index, asset.long_name));
                }
            }
        }
        let ids: Vec<MarketId> = candidates.iter().map(|c| c.0).collect();
        let found = sequencer(&self.state)
            .query(move |venue| {
                ids.iter().map(|&m| venue.engine().market_lifecycle(m).map(|l| (l.status, l.rule))).collect::<Vec<_>>()
            })
            .await?;
        let mut redeems = Vec::new();
        for ((market, asset, index, name), life) in candidates.into_iter().zip(found) {
            let Some((status, Some(rule))) = life else { continue };
            let augury_core::RuleMap::Threshold { threshold, .. } = rule.map else { continue };
            if status == MarketStatus::Settled {
                // Settled before a stop, perhaps before its holders were paid: pay them now (a
                // holder with nothing left is refused, harmlessly).
                for account in std::iter::once(MARKET_MAKER).chain(TAKERS) {
                    redeems.push(Command::Redeem { account, market });
                }
                continue;
            }
            if self.listed.contains_key(&market) {
                continue;
            }
            let expires_ms = rule.at_ms as i64;
            let title = listing::title(name, threshold, expires_ms);
            let listing = Listing { market, asset: asset as u32, index, strike: threshold, expires_ms, title };
            self.listed.insert(market, Listed { listing, bid: None, ask: None });
        }
        let stale: Vec<Command> = {
            let history = self.state.history();
            history
                .orders(MARKET_MAKER, None, 100_000, |o| o.status == OrderStatus::Open)
                .iter()
                .map(|o| Command::CancelOrder { account: MARKET_MAKER, order: o.order_id })
                .collect()
        };
        submit_all(&self.state, stale).await?;
        submit_all(&self.state, redeems).await?;
        Ok(())
    }

    fn refit(&mut self, day_ms: i64) {
        for (a, asset) in self.assets.iter().enumerate() {
            // Only candles closed by the day's start: no look-ahead.
            // The model the intelligence endpoints use, so quotes and the API agree.
            match live::fit_for_day(&asset.series, day_ms, self.state.intel.config()) {
                Ok(fit) => self.fits[a] = Some(fit),
                Err(e) => {
                    tracing::warn!(symbol = asset.symbol, error = %e, "no threshold model; not quoting");
                    self.fits[a] = None;
                }
            }
        }
    }

    /// P(price >= strike at expiry) for a listed market, from candles closed by now.
    pub fn fair_probability(&self, listing: &Listing) -> Option<f64> {
        let asset = &self.assets[listing.asset as usize];
        let fit = self.fits[listing.asset as usize].as_ref()?;
        let last = live::last_closed(&asset.series, self.now_ms)?;
        let last_close_ms = last.open_time_ms + asset.series.interval.ms();
        let forecaster = live::forecaster_at(&asset.series, fit, self.now_ms);
        let strike = listing.strike as f64 / INDEX_UNITS_PER_DOLLAR;
        forecaster.probability_at_or_above(strike, listing.expires_ms - last_close_ms).ok()
    }

    /// Replays one hour (see the module's description) and moves to the next.
    pub async fn step(&mut self) -> Result<StepReport, DriverError> {
        let t = self.now_ms;
        let mut report = StepReport { at_ms: t, ..StepReport::default() };
        if self.finished() {
            return Ok(report);
        }
        self.clock.set(t as u64);

        // Candles and index values.
        let mut values = Vec::new();
        for asset in &self.assets {
            if let Some(candle) = asset.candle_closing_at(t) {
                if let Err(e) = self.state.intel.append(asset.symbol, asset.series.interval, *candle) {
                    tracing::warn!(symbol = asset.symbol, error = %e, "replayed candle not served");
                }
                values.push(Command::RecordIndexValue {
                    index: asset.index,
                    at_ms: t as u64,
                    value: index_value(candle.close),
                });
            }
        }
        report.index_values = values.len() as u32;
        for outcome in submit_all(&self.state, values).await? {
            match outcome {
                Ok(events) => report.resolved.extend(events.iter().filter_map(|e| match e {
                    Event::MarketResolved { market, .. } => Some(*market),
                    _ => None,
                })),
                Err(reject) => tracing::warn!(%reject, "an index value was refused"),
            }
        }

        // Settled markets pay their holders.
        let due: Vec<MarketId> =
            self.listed.values().filter(|l| l.listing.expires_ms <= t).map(|l| l.listing.market).collect();
        let mut redeems = Vec::new();
        for market in due {
            self.listed.remove(&market);
            for account in std::iter::once(MARKET_MAKER).chain(TAKERS) {
                redeems.push(Command::Redeem { account, market });
            }
        }
        submit_all(&self.state, redeems).await?;

        // A new day: refit, list.
        if t.rem_euclid(MS_PER_DAY) == 0 {
            self.refit(t);
            report.listed = self.list_day(t).await?;
        }

        self.requote(&mut report).await?;
        self.takers(&mut report).await?;
        self.now_ms = t + MS_PER_HOUR;
        Ok(report)
    }

    /// Lists the day's markets for every asset whose spot is known at `day_ms` and whose
    /// closing value the data will have (a day ending in a gap of the data gets no market).
    async fn list_day(&mut self, day_ms: i64) -> Result<Vec<MarketId>, DriverError> {
        let expires_ms = day_ms + MS_PER_DAY;
        if expires_ms > self.end_ms {
            return Ok(Vec::new());
        }
        let mut listings = Vec::new();
        let mut events = Vec::new();
        for (a, asset) in self.assets.iter().enumerate() {
            let (Some(spot), Some(_)) = (asset.candle_closing_at(day_ms), asset.candle_closing_at(expires_ms)) else {
                continue;
            };
            let terms = asset.terms();
            let day = listing::day_listings(
                day_ms,
                a as u32,
                &terms,
                index_value(spot.close),
                self.config.strikes_per_side,
                self.config.strike_step_bps,
            );
            events.push(VenueCommand::CreateEvent { event: listing::event_info(&terms, expires_ms) });
            listings.extend(day.into_iter().map(|l| (listing::info(&l, &terms), l)));
        }
        // The events first (a market names its event), then the markets, then their rules.
        for outcome in execute_all(&self.state, events).await? {
            match outcome {
                // Already there: a restart replaying the hour.
                Ok(_) | Err(VenueReject::Catalog(CatalogReject::DuplicateEvent { .. })) => {}
                Err(reject) => return Err(DriverError::Listing(reject)),
            }
        }
        let creates = listings
            .iter()
            .map(|(info, l)| VenueCommand::ListMarket {
                spec: listing::spec(l, self.config.tick_micros, self.config.taker_fee_ppm),
                info: Box::new(info.clone()),
            })
            .collect();
        let created = execute_all(&self.state, creates).await?;
        let rules =
            listings.iter().map(|(_, l)| Command::SetMarketRule { market: l.market, rule: listing::rule(l) }).collect();
        let ruled = submit_all(&self.state, rules).await?;
        let mut listed = Vec::new();
        for (((_, l), created), ruled) in listings.into_iter().zip(created).zip(ruled) {
            // Already there (a restart replaying the hour; on a venue from before the catalog, the
            // engine has the market without an entry) is fine; anything else is a bug.
            let fresh = match created {
                Ok(_) => true,
                Err(
                    VenueReject::Catalog(CatalogReject::AlreadyListed { .. })
                    | VenueReject::Engine(Reject::DuplicateMarket { .. }),
                ) => false,
                Err(reject) => return Err(DriverError::Listing(reject)),
            };
            match ruled {
                Ok(_) | Err(Reject::RuleAlreadySet { .. }) => {}
                Err(reject) => return Err(DriverError::Setup(reject)),
            }
            if fresh {
                tracing::info!(market = %l.market, title = %l.title, "listed");
                listed.push(l.market);
            }
            self.listed.insert(l.market, Listed { listing: l, bid: None, ask: None });
        }
        Ok(listed)
    }

    /// Reads every listed market's status, the market maker's position and what is left of its
    /// quotes, in one query.
    async fn read_markets(&self) -> Result<Vec<(MarketId, MarketState)>, DriverError> {
        let wanted: Vec<(MarketId, Option<OrderId>, Option<OrderId>)> =
            self.listed.values().map(|l| (l.listing.market, l.bid.map(|r| r.order), l.ask.map(|r| r.order))).collect();
        let states = sequencer(&self.state)
            .query(move |venue| {
                let engine = venue.engine();
                let left = |id: Option<OrderId>| id.and_then(|id| engine.order(id)).map(|o| o.remaining_quantity);
                wanted
                    .iter()
                    .map(|&(market, bid, ask)| {
                        let position = engine.position(MARKET_MAKER, market, 0);
                        let state = MarketState {
                            status: engine.market_status(market),
                            yes: position.yes,
                            no: position.no,
                            bid_left: left(bid),
                            ask_left: left(ask),
                        };
                        (market, state)
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
        Ok(states)
    }

    /// The market maker's new quotes: merge pairs, then cancel what changed, then place.
    async fn requote(&mut self, report: &mut StepReport) -> Result<(), DriverError> {
        let states = self.read_markets().await?;
        let limits = self.config.limits;
        // Each market's worst-case exposure as it stands (live orders and position).
        let mut worst: BTreeMap<MarketId, Micros> = BTreeMap::new();
        for (market, s) in &states {
            let live = Quote {
                bid: s.bid_left.map(|q| Level { ticks: 0, quantity: q }),
                ask: s.ask_left.map(|q| Level { ticks: 0, quantity: q }),
            };
            worst.insert(*market, live.worst_exposure_micros(s.yes as i64 - s.no as i64));
        }
        let mut cancels = Vec::new();
        let mut merges = Vec::new();
        let mut places: Vec<(MarketId, bool, Level, Command)> = Vec::new();
        let (tick, ticks_per_dollar) = (self.config.tick_micros, self.ticks_per_dollar);
        for (market, s) in states {
            let net = s.yes as i64 - s.no as i64;
            let pairs = s.yes.min(s.no);
            if pairs > 0 {
                merges.push(Command::Merge { account: MARKET_MAKER, market, outcome: None, quantity: pairs });
            }
            let Some(listed) = self.listed.get(&market) else { continue };
            let open = s.status == Some(MarketStatus::Open);
            let fair = if open { self.fair_probability(&listed.listing) } else { None };
            let other: Micros = worst.iter().filter(|(m, _)| **m != market).map(|(_, w)| *w).sum();
            let wanted = match fair {
                Some(p) => quote::quote(p, net, other, &limits, self.ticks_per_dollar),
                None => Quote::default(),
            };
            worst.insert(market, wanted.worst_exposure_micros(net));
            let listed = self.listed.get_mut(&market).expect("listed");
            for (is_bid, resting, left, level) in
                [(true, &mut listed.bid, s.bid_left, wanted.bid), (false, &mut listed.ask, s.ask_left, wanted.ask)]
            {
                let keep = matches!((&resting, left, level), (Some(r), Some(q), Some(l)) if r.level.ticks == l.ticks && q == l.quantity);
                if keep {
                    continue;
                }
                if let (Some(r), Some(_)) = (*resting, left) {
                    cancels.push(Command::CancelOrder { account: MARKET_MAKER, order: r.order });
                }
                *resting = None;
                if let Some(level) = level {
                    places.push((market, is_bid, level, quote_order(tick, ticks_per_dollar, market, is_bid, level)));
                }
            }
        }
        let cancel_count = cancels.len();
        cancels.extend(merges);
        let cancelled = submit_all(&self.state, cancels).await?;
        report.orders_cancelled += cancelled[..cancel_count].iter().filter(|o| o.is_ok()).count() as u32;
        let commands = places.iter().map(|p| p.3).collect();
        for ((market, is_bid, level, _), outcome) in places.into_iter().zip(submit_all(&self.state, commands).await?) {
            match outcome {
                Ok(events) => {
                    report.orders_placed += 1;
                    report.fills += events.iter().filter(|e| matches!(e, Event::Fill { .. })).count() as u32;
                    let order = events.iter().find_map(|e| match e {
                        Event::OrderAccepted { order, .. } => Some(*order),
                        _ => None,
                    });
                    let rested = events.iter().any(|e| matches!(e, Event::OrderRested { .. }));
                    if let (Some(order), true, Some(listed)) = (order, rested, self.listed.get_mut(&market)) {
                        let resting = Some(Resting { order, level });
                        if is_bid {
                            listed.bid = resting;
                        } else {
                            listed.ask = resting;
                        }
                    }
                }
                // Post-only would cross (someone bids above our ask), or the market closed: no
                // quote on that side this hour.
                Err(reject) => tracing::debug!(%market, %reject, "quote not placed"),
            }
        }
        Ok(())
    }

    /// Noise: now and then a taker lifts the market maker's ask (buys YES) or hits its bid
    /// (buys NO), 1 to 10 contracts, immediate-or-cancel. Seeded by the hour and the market.
    async fn takers(&mut self, report: &mut StepReport) -> Result<(), DriverError> {
        if self.config.taker_percent == 0 {
            return Ok(());
        }
        let tick = self.config.tick_micros;
        let hour = self.now_ms.div_euclid(MS_PER_HOUR) as u64;
        let mut orders = Vec::new();
        for listed in self.listed.values() {
            let mut rng = SplitMix64::new(
                self.config.seed ^ hour.wrapping_mul(0x9E37_79B9) ^ u64::from(listed.listing.market.get()),
            );
            if !rng.chance(self.config.taker_percent) {
                continue;
            }
            let account = TAKERS[rng.below(TAKERS.len() as u64) as usize];
            let quantity = rng.range(1, 10);
            let (side, price_ticks) = match (rng.coin(), listed.ask, listed.bid) {
                (true, Some(ask), _) | (false, Some(ask), None) => (Side::Yes, ask.level.ticks),
                (_, _, Some(bid)) => (Side::No, self.ticks_per_dollar - bid.level.ticks),
                (_, None, None) => continue,
            };
            orders.push(Command::PlaceOrder {
                order: NewOrder {
                    order: OrderId(0),
                    account,
                    market: listed.listing.market,
                    outcome: 0,
                    side,
                    action: Action::Buy,
                    order_type: OrderType::Limit { price_micros: u64::from(price_ticks) * tick },
                    quantity,
                    time_in_force: TimeInForce::Ioc,
                    post_only: false,
                    self_trade: SelfTradePrevention::CancelTaker,
                },
            });
        }
        for outcome in submit_all(&self.state, orders).await?.into_iter().flatten() {
            report.taker_orders += 1;
            report.fills += outcome.iter().filter(|e| matches!(e, Event::Fill { .. })).count() as u32;
        }
        Ok(())
    }

    /// Replays hour after hour, `hour_real_ms` apart, until the data ends or `stop` turns true;
    /// when the data ends, the venue's time goes back to the wall clock.
    pub async fn run(mut self, mut stop: tokio::sync::watch::Receiver<bool>) -> Result<(), DriverError> {
        if self.finished() {
            tracing::warn!(
                clock = %format_time(self.now_ms),
                "the venue is past the replay's data: no crypto replay (start with a fresh data directory)"
            );
            self.clock.follow_wall();
            return Ok(());
        }
        tracing::info!(from = %format_time(self.now_ms), to = %format_time(self.end_ms), "replaying price history");
        let pause = Duration::from_millis(self.config.hour_real_ms);
        while !self.finished() {
            if *stop.borrow() {
                return Ok(());
            }
            let started = Instant::now();
            let report = self.step().await?;
            if !report.listed.is_empty() || !report.resolved.is_empty() {
                tracing::info!(
                    at = %format_time(report.at_ms),
                    listed = report.listed.len(),
                    resolved = report.resolved.len(),
                    "replayed day"
                );
            }
            let wait = pause.saturating_sub(started.elapsed());
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return Ok(()),
            }
        }
        tracing::info!("the replay reached the end of its data; the venue clock follows the wall clock again");
        self.clock.follow_wall();
        Ok(())
    }
}
