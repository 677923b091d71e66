//! `augury serve`: the venue on the network, with embedded storage in the data directory.
//! `--demo` creates the demo markets and funded simulated traders on first start and lets them
//! trade for a moment so the books have depth; API keys come from `augury keys create`.

use crate::storage::{open_venue_observed, StorageArgs};
use anyhow::{bail, Context, Result};
use augury_engine::EngineConfig;
use augury_gateway::history::History;
use augury_gateway::tls::TlsIdentity;
use augury_gateway::{Gateway, GatewayConfig};
use augury_sequencer::VenueCommand;
use augury_sim::{Simulation, FEE_ACCOUNT};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Simulated commands run when the demo venue is created.
const DEMO_WARMUP_STEPS: u64 = 5_000;

pub fn engine_config() -> EngineConfig {
    EngineConfig { fee_account: FEE_ACCOUNT, ..EngineConfig::default() }
}

/// HTTPS for `augury serve`. Without any of these, the venue serves plain HTTP (fine on loopback
/// or behind a TLS-terminating proxy).
#[derive(clap::Args, Debug)]
pub struct TlsArgs {
    /// PEM certificate chain: serve HTTPS with it (the key comes from --tls-key or AUGURY_TLS_KEY).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key file for --tls-cert. Alternatively put the PEM itself in the environment
    /// variable AUGURY_TLS_KEY.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate for localhost made at start and signed by itself (local use);
    /// its certificate is written to DATA_DIR/tls-self-signed.pem for clients to trust.
    #[arg(long, conflicts_with = "tls_cert")]
    pub tls_self_signed: bool,
}

/// The TLS identity the arguments ask for, if any. Key material is never echoed in errors.
fn tls_identity(tls: &TlsArgs, storage: &StorageArgs) -> Result<Option<TlsIdentity>> {
    if tls.tls_self_signed {
        let identity = TlsIdentity::self_signed()?;
        std::fs::create_dir_all(&storage.data_dir)
            .with_context(|| format!("creating {}", storage.data_dir.display()))?;
        let path = storage.data_dir.join("tls-self-signed.pem");
        std::fs::write(&path, &identity.certificate_pem).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("self-signed certificate for localhost written to {} (trust it in clients)", path.display());
        return Ok(Some(identity));
    }
    let Some(cert) = &tls.tls_cert else { return Ok(None) };
    let certificate_pem = std::fs::read(cert).with_context(|| format!("reading --tls-cert {}", cert.display()))?;
    let (private_key_pem, source_name) = match (&tls.tls_key, std::env::var("AUGURY_TLS_KEY")) {
        (Some(file), _) => (
            std::fs::read(file).with_context(|| format!("reading --tls-key {}", file.display()))?,
            format!("--tls-key {}", file.display()),
        ),
        (None, Ok(pem)) => (pem.into_bytes(), "AUGURY_TLS_KEY".to_string()),
        (None, Err(_)) => bail!("--tls-cert needs a private key: --tls-key FILE or the AUGURY_TLS_KEY variable"),
    };
    Ok(Some(TlsIdentity { certificate_pem, private_key_pem, source_name }))
}

pub fn run(storage: &StorageArgs, listen: SocketAddr, demo: bool, tls: &TlsArgs) -> Result<()> {
    // Structured logs on stderr; RUST_LOG overrides the level (e.g. RUST_LOG=augury_gateway=debug).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let mut history = History::default();
    // TLS problems are found before the venue is opened (and its lock taken).
    let tls_config = tls_identity(tls, storage)?.map(|identity| identity.server_config()).transpose()?;
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(augury_gateway::default_worker_threads())
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
        let address = listener.local_addr()?;
        let gateway = Gateway::start(venue, history, GatewayConfig::default());
        let keys = gateway.state.auth.key_count();
        let scheme = if tls_config.is_some() { "https" } else { "http" };
        eprintln!("augury is serving {scheme}://{address}  (data: {})", storage.data_dir.display());
        if keys == 0 {
            eprintln!(
                "no API keys yet: stop the venue and run `augury keys create --data-dir {} --admin` for the first one",
                storage.data_dir.display()
            );
        }
        eprintln!("try: curl {scheme}://{address}/v1/markets   (the API is described at /openapi.json)");
        match tls_config {
            Some(config) => gateway.serve_tls(listener, config, shutdown_signal()).await?,
            None => gateway.serve(listener, shutdown_signal()).await?,
        }
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
