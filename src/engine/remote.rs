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

use super::device::OpenedDevice;
use crate::protocol::DeviceInfo;
pub use crate::protocol::RemoteTarget;
use std::sync::Mutex;
use std::time::Duration;

/// The environment variable holding the token, on the server and on the client.
pub const TOKEN_VARIABLE: &str = "GANSCOPE_REMOTE_TOKEN";
/// How long a connect may take before the user hears that nothing answered.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
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

static TARGET: Mutex<Option<RemoteTarget>> = Mutex::new(None);

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
    let (tx, rx) = crossbeam_channel::bounded(1);
    let asked = target.clone();
    std::thread::Builder::new()
        .name("ganscope-connect".into())
        .spawn(move || {
            let _ = tx.send(open(&asked));
        })
        .map_err(|e| format!("cannot start the connecting thread: {e}"))?;
    let device = rx.recv_timeout(CONNECT_TIMEOUT).map_err(|_| {
        format!(
            "no answer from {} in {} s: is `ganscope serve` running there, and the tunnel up?",
            target.address,
            CONNECT_TIMEOUT.as_secs()
        )
    })??;
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

#[cfg(feature = "remote")]
fn open(target: &RemoteTarget) -> Result<burn::prelude::Device, String> {
    use burn::remote::{ConnectError, RemoteHost};
    let host = RemoteHost::websocket(&target.address).with_credential(target.token.as_str());
    burn::prelude::Device::remote_options(&host)
        .init()
        .map_err(|e| match e {
            ConnectError::Unauthorized => format!(
                "{} refused the token: set {TOKEN_VARIABLE} to the token the server was started \
                 with",
                target.address
            ),
            ConnectError::IncompatibleProtocol {
                client_version,
                server_version,
            } => format!(
                "{} speaks remote protocol {server_version} and this ganscope {client_version}: \
                 run the same ganscope version on both machines",
                target.address
            ),
            ConnectError::Unreachable { reason } => format!(
                "cannot reach {}: {reason} (is `ganscope serve` running there, and the tunnel \
                 up?)",
                target.address
            ),
            other => format!("cannot connect to {}: {other}", target.address),
        })
}

#[cfg(not(feature = "remote"))]
fn open(_target: &RemoteTarget) -> Result<burn::prelude::Device, String> {
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

    #[test]
    fn a_target_never_shows_its_token() {
        let target = RemoteTarget {
            address: "ws://h:1".into(),
            token: "secret".into(),
        };
        assert!(!format!("{target:?}").contains("secret"));
    }
}
