//! `augury serve`: the venue on the network, with embedded storage in the data directory.
//! `--demo` creates the demo markets and funded simulated traders on first start and lets them
//! trade for a moment so the books have depth; API keys come from `augury keys create`.

use crate::storage::{open_venue_observed, StorageArgs};
use anyhow::{bail, Context, Result};
use augury_engine::EngineConfig;
use augury_gateway::history::History;
use augury_gateway::{Gateway, GatewayConfig};
use augury_sequencer::VenueCommand;
use augury_sim::{Simulation, FEE_ACCOUNT};
use std::net::SocketAddr;

/// Simulated commands run when the demo venue is created.
const DEMO_WARMUP_STEPS: u64 = 5_000;

pub fn engine_config() -> EngineConfig {
    EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() }
}

pub fn run(storage: &StorageArgs, listen: SocketAddr, demo: bool) -> Result<()> {
    // Structured logs on stderr; RUST_LOG overrides the level (e.g. RUST_LOG=augury_gateway=debug).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let mut history = History::default();
    let mut venue = open_venue_observed(storage, engine_config(), &mut history)?;
    if demo && venue.engine().market_spec(1).is_none() {
        let mut simulation = Simulation::resume(1, venue.engine().clock_ms(), venue.engine().highest_order_id());
        let mut commands = simulation.setup();
        let setup_len = commands.len();
        commands.extend((0..DEMO_WARMUP_STEPS).map(|_| simulation.next_command()));
        for (n, command) in commands.iter().enumerate() {
            match venue.submit(command)? {
                // The history follows the warm-up as it follows every committed entry.
                Ok(events) => history.apply(&VenueCommand::Engine(*command), events),
                Err(reject) if n < setup_len => bail!("the demo setup was refused: {reject}"),
                Err(_) => {}
            }
        }
        venue.commit(augury_gateway::now_ms())?;
        eprintln!("created the demo venue in {}: three markets, simulated traders", storage.data_dir.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let address = listener.local_addr()?;
        let gateway = Gateway::start(venue, history, GatewayConfig::default());
        let keys = gateway.state.auth.key_count();
        eprintln!("augury is serving http://{address}  (data: {})", storage.data_dir.display());
        if keys == 0 {
            eprintln!(
                "no API keys yet: stop the venue and run `augury keys create --data-dir {} --admin` for the first one",
                storage.data_dir.display()
            );
        }
        eprintln!("try: curl http://{address}/v1/markets");
        gateway.serve(listener, shutdown_signal()).await?;
        eprintln!("stopping: finishing the batch in hand");
        drop(gateway.stop());
        Ok(())
    })
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler can be installed");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
