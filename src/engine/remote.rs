//! Training on a GPU that sits elsewhere, through burn-remote: every tensor operation is
//! recorded here and replayed by `ganscope serve` on its device, while autodiff, the models'
//! bookkeeping and the UI stay on this machine. The server is reached over WebSocket with a
//! token (`GANSCOPE_REMOTE_TOKEN`), normally through an SSH tunnel to its loopback address.
//!
//! The remote server a [`crate::protocol::DeviceChoice::Remote`] means is set once per
//! process ([`set_target`]): by `--device remote:ws://HOST:PORT` on the command line, or by
//! the app's *Remote...* dialog. Connecting happens on a helper thread with a deadline, so a
//! server that never answers costs [`CONNECT_TIMEOUT`], never a hang. Built without the
//! `remote` cargo feature, every connect says so.
//!
//! Reconnecting: burn-remote keeps a device's session for the life of the process, a dead one
//! included, so a lost session cannot be opened again under the same device. `ganscope serve`
//! therefore hosts its device [`SESSION_SLOTS`] times over, and a client that lost its session
//! ([`lost`]) connects the next slot of that server: a fresh session on the same device.

use super::device::OpenedDevice;
use crate::protocol::DeviceInfo;
pub use crate::protocol::RemoteTarget;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// The environment variable holding the token, on the server and on the client.
pub const TOKEN_VARIABLE: &str = "GANSCOPE_REMOTE_TOKEN";
pub use crate::protocol::CONNECT_TIMEOUT;
/// How long a training step's read from a remote device may wait before the run stops as
/// stalled, unless `GANSCOPE_REMOTE_DEADLINE` gives other seconds.
pub const READ_DEADLINE: Duration = Duration::from_secs(60);

/// The deadline of a step's read from a remote device ([`READ_DEADLINE`], or the seconds in
/// `GANSCOPE_REMOTE_DEADLINE`).
pub fn read_deadline() -> Duration {
    std::env::var("GANSCOPE_REMOTE_DEADLINE")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(READ_DEADLINE, Duration::from_secs_f64)
}

/// How many times `ganscope serve` lists its device: each slot is a session of its own, so an
/// app can reconnect this many times minus one after losing a server before it must restart.
pub const SESSION_SLOTS: usize = 64;

static TARGET: Mutex<Option<RemoteTarget>> = Mutex::new(None);

/// Every remote device this process connected, to tell its tensors' reads apart.
static OPENED: Mutex<Vec<burn::prelude::Device>> = Mutex::new(Vec::new());

/// Whether `device` is a remote one (whose reads wait at most [`read_deadline`]).
pub fn is_remote(device: &burn::prelude::Device) -> bool {
    OPENED.lock().is_ok_and(|opened| opened.contains(device))
}

/// `read` on a helper thread, its answer within `limit` or an error saying none came (the
/// thread is left to a server that may never answer).
pub fn within<T: Send + 'static>(
    limit: Duration,
    read: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::Builder::new()
        .name("ganscope-read".into())
        .spawn(move || {
            let _ = tx.send(read());
        })
        .map_err(|e| format!("cannot start a read: {e}"))?;
    rx.recv_timeout(limit)
        .map_err(|_| format!("no answer in {} s", limit.as_secs()))
}

/// A failed read from a remote device in words: the connection closed (burn says its
/// answer channel did), or the server's own reason.
pub fn read_error(error: &impl std::fmt::Display) -> String {
    let text = error.to_string();
    if text.contains("RecvError") {
        "the connection to its server closed".into()
    } else {
        text.lines().last().unwrap_or_default().trim().to_string()
    }
}

/// Per server address, the slot the next connect uses (raised each time a session is lost).
static SLOTS: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());

/// The session with the current target was lost: the next connect to it opens a fresh one.
pub fn lost() {
    if let (Some(target), Ok(mut slots)) = (target(), SLOTS.lock()) {
        *slots.entry(target.address).or_default() += 1;
    }
}

/// The server slot the next connect to `address` uses.
fn slot(address: &str) -> usize {
    SLOTS
        .lock()
        .ok()
        .and_then(|slots| slots.get(address).copied())
        .unwrap_or(0)
}

/// Set (or clear) the remote server `DeviceChoice::Remote` connects to.
pub fn set_target(target: Option<RemoteTarget>) {
    if let Ok(mut current) = TARGET.lock() {
        *current = target;
    }
}

/// The remote server set, if any.
pub fn target() -> Option<RemoteTarget> {
    TARGET.lock().ok().and_then(|t| t.clone())
}

pub use crate::protocol::parse_remote_address as parse_address;

/// Connect to `target` (at most [`CONNECT_TIMEOUT`]); an error names the cause in words.
pub fn connect(target: &RemoteTarget) -> Result<OpenedDevice, String> {
    let slot = slot(&target.address);
    if slot >= SESSION_SLOTS {
        return Err(format!(
            "this ganscope has lost its session with {} {slot} times: restart it to connect \
             again (burn-remote keeps a lost session for the rest of the process)",
            target.address
        ));
    }
    let (tx, rx) = crossbeam_channel::bounded(1);
    let asked = target.clone();
    std::thread::Builder::new()
        .name("ganscope-connect".into())
        .spawn(move || {
            let _ = tx.send(reachable(&asked.address).and_then(|()| open(&asked, slot)));
        })
        .map_err(|e| format!("cannot start the connecting thread: {e}"))?;
    let device = rx.recv_timeout(CONNECT_TIMEOUT).map_err(|_| {
        format!(
            "no answer from {} in {} s: is `ganscope serve` running there, and the tunnel up?",
            target.address,
            CONNECT_TIMEOUT.as_secs()
        )
    })??;
    if let Ok(mut opened) = OPENED.lock()
        && !opened.contains(&device)
    {
        opened.push(device.clone());
    }
    Ok(OpenedDevice {
        device,
        info: DeviceInfo {
            backend: "remote".into(),
            name: format!("the remote device at {}", target.address),
            notice: None,
        },
        notice: None,
    })
}

/// Whether something listens at `address` (`ws://HOST:PORT`), asked with a plain TCP connect
/// first: a refused connection or an unknown host answers at once, where burn-remote's own
/// connect keeps retrying until the deadline (a refusal on localhost took the full 15 s).
fn reachable(address: &str) -> Result<(), String> {
    use std::net::{TcpStream, ToSocketAddrs};
    let host_port = address.strip_prefix("ws://").unwrap_or(address);
    let unreachable = |why: String| {
        format!(
            "cannot reach {address}: {why} (is `ganscope serve` running there, and the tunnel \
             up?)"
        )
    };
    let addresses: Vec<_> = host_port
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .collect();
    let mut last = None;
    for socket in &addresses {
        match TcpStream::connect_timeout(socket, CONNECT_TIMEOUT) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(unreachable(last.map_or_else(
        || "the host name has no address".to_string(),
        |e| e.to_string(),
    )))
}

#[cfg(feature = "remote")]
fn open(target: &RemoteTarget, slot: usize) -> Result<burn::prelude::Device, String> {
    use burn::remote::RemoteHost;
    let host = RemoteHost::websocket(&target.address).with_credential(target.token.as_str());
    burn::prelude::Device::remote_options(&host)
        .device_index(slot)
        .init()
        .map_err(|e| describe(e, &target.address))
}

/// Why connecting to the server at `address` failed, in words that say what to do.
#[cfg(feature = "remote")]
fn describe(error: burn::remote::ConnectError, address: &str) -> String {
    use burn::remote::ConnectError;
    match error {
        ConnectError::Unauthorized => format!(
            "{address} refused the token: set {TOKEN_VARIABLE} to the token the server was \
             started with"
        ),
        ConnectError::IncompatibleProtocol {
            client_version,
            server_version,
        } => format!(
            "{address} speaks remote protocol {server_version} and this ganscope \
             {client_version}: run the same ganscope version on both machines"
        ),
        ConnectError::NoSuchDevice { device_count } => format!(
            "{address} has no fresh session left for a reconnect (it hosts {device_count}): \
             restart ganscope to connect again, or restart the server with this ganscope \
             version (`ganscope serve` hosts {SESSION_SLOTS})"
        ),
        ConnectError::Unreachable { reason } => format!(
            "cannot reach {address}: {reason} (is `ganscope serve` running there, and the \
             tunnel up?)"
        ),
        ConnectError::Handshake { reason } => format!(
            "{address} answered but the session could not start ({reason}): is it a \
             `ganscope serve` of this version?"
        ),
        other => format!("cannot connect to {address}: {other}"),
    }
}

#[cfg(not(feature = "remote"))]
fn open(_target: &RemoteTarget, _slot: usize) -> Result<burn::prelude::Device, String> {
    Err(
        "this ganscope was built without the `remote` feature: rebuild with \
         `cargo build --release --features remote`"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_websocket_host_and_port() {
        assert_eq!(
            parse_address("ws://gpu-box:4700"),
            Ok("ws://gpu-box:4700".into())
        );
        assert_eq!(
            parse_address("127.0.0.1:4700/"),
            Ok("ws://127.0.0.1:4700".into())
        );
        assert!(parse_address("http://x:1").is_err_and(|e| e.contains("not http://")));
        assert!(parse_address("ws://x").is_err_and(|e| e.contains("no port")));
        assert!(parse_address("ws://:80").is_err_and(|e| e.contains("no host")));
        assert!(parse_address("ws://x:99999").is_err_and(|e| e.contains("not a port")));
    }

    #[cfg(feature = "remote")]
    #[test]
    fn each_refusal_says_what_to_do() {
        use burn::remote::ConnectError;
        let at = "ws://gpu:4700";
        let said = |e| describe(e, at);
        let version = said(ConnectError::IncompatibleProtocol {
            client_version: 7,
            server_version: 9,
        });
        assert!(version.contains("protocol 9") && version.contains("same ganscope version"));
        assert!(said(ConnectError::Unauthorized).contains(TOKEN_VARIABLE));
        let slots = said(ConnectError::NoSuchDevice { device_count: 1 });
        assert!(slots.contains("hosts 1") && slots.contains("restart ganscope"));
        let broke = said(ConnectError::Handshake {
            reason: "closed".into(),
        });
        assert!(broke.contains("(closed)") && broke.contains(at));
        let away = said(ConnectError::Unreachable {
            reason: "refused".into(),
        });
        assert!(away.contains("cannot reach ws://gpu:4700: refused"));
    }

    #[test]
    fn a_target_never_shows_its_token() {
        let target = RemoteTarget {
            address: "ws://h:1".into(),
            token: "secret".into(),
        };
        assert!(!format!("{target:?}").contains("secret"));
    }
}
