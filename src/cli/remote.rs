//! The remote GPU from the command line: `--device remote:ws://HOST:PORT` on any command that
//! takes a device (the token from `GANSCOPE_REMOTE_TOKEN`, or asked for on the terminal without
//! echo), and `ganscope serve`, which serves this machine's device to ganscope elsewhere (see
//! `engine::remote`).

use crate::engine::remote::{self, RemoteTarget, TOKEN_VARIABLE};
use crate::protocol::DeviceChoice;
use std::io::{IsTerminal, Write};
use std::net::IpAddr;

/// `--device`: `auto`, `gpu`, `cpu` or `remote:ws://HOST:PORT`. A remote device sets the
/// process's remote server (address, and the token from the environment or the terminal).
pub fn device_arg(text: &str) -> Result<DeviceChoice, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "auto" => return Ok(DeviceChoice::Auto),
        "gpu" => return Ok(DeviceChoice::Gpu),
        "cpu" => return Ok(DeviceChoice::Cpu),
        _ => {}
    }
    let Some(address) = text.trim().strip_prefix("remote:") else {
        return Err(format!(
            "'{text}' is not a device: auto, gpu, cpu or remote:ws://HOST:PORT"
        ));
    };
    let address = remote::parse_address(address)?;
    let token = token_for(&address)?;
    remote::set_target(Some(RemoteTarget { address, token }));
    Ok(DeviceChoice::Remote)
}

/// The token: `GANSCOPE_REMOTE_TOKEN`, else asked for on the terminal (not echoed).
fn token_for(address: &str) -> Result<String, String> {
    if let Some(token) = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.is_empty()) {
        return Ok(token);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "no token for {address}: set {TOKEN_VARIABLE} to the server's token"
        ));
    }
    eprint!("token for {address}: ");
    let _ = std::io::stderr().flush();
    let echo = |on: bool| {
        let _ = std::process::Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    echo(false);
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    echo(true);
    eprintln!();
    read.map_err(|e| format!("cannot read the token: {e}"))?;
    let token = line.trim().to_string();
    if token.is_empty() {
        return Err(format!("no token for {address}"));
    }
    Ok(token)
}

/// What `ganscope serve` serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ServeDevice {
    /// The GPU through wgpu.
    Gpu,
    /// burn's flex backend on this machine's CPU.
    Cpu,
}

/// `ganscope serve`: serves `device` on `bind`:`port` until Ctrl+C, to clients presenting the
/// token in `GANSCOPE_REMOTE_TOKEN`; says when it listens, when a client connects, is refused
/// or leaves.
pub fn serve(port: u16, device: ServeDevice, bind: IpAddr) -> anyhow::Result<()> {
    let token = std::env::var(TOKEN_VARIABLE)
        .ok()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "set {TOKEN_VARIABLE} to a secret token: clients must present the same one"
            )
        })?;
    let choice = match device {
        ServeDevice::Gpu => DeviceChoice::Gpu,
        ServeDevice::Cpu => DeviceChoice::Cpu,
    };
    let opened = crate::engine::device::open(choice, false).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(notice) = &opened.notice {
        eprintln!("note: {notice}");
    }
    let listener = std::net::TcpListener::bind((bind, port))
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}:{port}: {e}"))?;
    let address = listener.local_addr()?;
    if !bind.is_loopback() {
        eprintln!(
            "warning: listening on {bind}, reachable beyond this machine; WebSocket is not \
             encrypted, so the token and the tensors cross the network in clear. Prefer the \
             default loopback address and an SSH tunnel (see the README)."
        );
    }
    server::run(listener, opened, token, address)
}

#[cfg(feature = "remote")]
mod server {
    use crate::engine::device::OpenedDevice;
    use burn::server::{
        AuthorizationRequest, PeerAuthorizer, RemoteServer, TokenAuthorizer, WebSocketTransport,
        telemetry::{DrainStatus, TelemetryEvent, TelemetryProbe},
    };
    use std::io::Write;

    /// Serves until Ctrl+C or SIGTERM.
    pub fn run(
        listener: std::net::TcpListener,
        opened: OpenedDevice,
        token: String,
        address: std::net::SocketAddr,
    ) -> anyhow::Result<()> {
        let tokens = TokenAuthorizer::new(token.as_str()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let authorize = move |request: AuthorizationRequest<'_>| {
            let outcome = tokens.authorize(request_of(&request));
            say(&match &outcome {
                Ok(()) if request.device_index == 0 => {
                    format!("client connected: {}", request.client)
                }
                Ok(()) => format!(
                    "client connected: {} (reconnected, session slot {})",
                    request.client, request.device_index
                ),
                Err(_) => format!("client refused (wrong token): {}", request.client),
            });
            outcome
        };
        let probe = TelemetryProbe::new(4096);
        if let Some(mut events) = probe.subscribe() {
            std::thread::Builder::new()
                .name("ganscope-serve-log".into())
                .spawn(move || {
                    let mut sink = Vec::new();
                    loop {
                        let status = events.drain_into(&mut sink);
                        for event in sink.drain(..) {
                            if let TelemetryEvent::SessionClosed { session } = event.as_ref() {
                                say(&format!("client gone (session {session:?})"));
                            }
                        }
                        if matches!(status, DrainStatus::Closed) {
                            return;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                })?;
        }
        say(&format!(
            "listening on ws://{address} ({} {}); Ctrl+C stops",
            opened.info.backend, opened.info.name
        ));
        // Each slot a session of its own on the same device: a client that lost its session
        // reconnects through the next (see `engine::remote::SESSION_SLOTS`).
        let slots = crate::engine::remote::SESSION_SLOTS;
        RemoteServer::new(std::iter::repeat_n(opened.device, slots))
            .with_authorizer(authorize)
            .with_telemetry(probe)
            .serve(WebSocketTransport::from_listener(listener))
            .map_err(|e| anyhow::anyhow!("the server stopped: {e}"))
    }

    /// The same request, to hand on to the token check.
    fn request_of<'a>(request: &AuthorizationRequest<'a>) -> AuthorizationRequest<'a> {
        AuthorizationRequest {
            client: request.client,
            device_index: request.device_index,
            credential: request.credential,
        }
    }

    /// One line on stdout, flushed (a test or a supervisor reads it as it comes).
    fn say(line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

#[cfg(not(feature = "remote"))]
mod server {
    pub fn run(
        _listener: std::net::TcpListener,
        _opened: crate::engine::device::OpenedDevice,
        _token: String,
        _address: std::net::SocketAddr,
    ) -> anyhow::Result<()> {
        anyhow::bail!(
            "this ganscope was built without the `remote` feature: rebuild with \
             `cargo build --release --features remote`"
        )
    }
}
