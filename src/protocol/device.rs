//! Devices as the front ends name them: the choice a user makes (Auto, GPU, CPU, a remote
//! server), the device the engine opened, and a remote server's address and token.

use serde::{Deserialize, Serialize};

/// Which compute device the engine should train on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum DeviceChoice {
    /// A real GPU through wgpu for image models when one exists, otherwise the CPU.
    #[default]
    Auto,
    /// wgpu, whatever adapter it finds (software adapters included); falls back to the CPU
    /// with a notice when wgpu cannot start.
    Gpu,
    /// burn's `flex` CPU backend.
    Cpu,
    /// A remote server's device through burn-remote (`ganscope serve` elsewhere; the address
    /// and token are set once per process, see `engine::remote`).
    #[value(skip)]
    Remote,
}

impl DeviceChoice {
    /// Every choice, in the order a selector lists them.
    pub const ALL: [DeviceChoice; 3] = [DeviceChoice::Auto, DeviceChoice::Gpu, DeviceChoice::Cpu];

    /// What the choice does, for tooltips.
    pub fn description(self) -> &'static str {
        match self {
            DeviceChoice::Auto => {
                "A real GPU through wgpu for image models; the CPU for small 2-D models \
                 (faster there) or when no GPU is found"
            }
            DeviceChoice::Gpu => "wgpu, whatever adapter it finds; the CPU if wgpu cannot start",
            DeviceChoice::Cpu => "burn's flex backend on the CPU",
            DeviceChoice::Remote => {
                "The device of a ganscope serve elsewhere (a GPU machine), reached over \
                 WebSocket: the window and autodiff stay here"
            }
        }
    }

    /// Short label for selectors and logs.
    pub fn label(self) -> &'static str {
        match self {
            DeviceChoice::Auto => "Auto",
            DeviceChoice::Gpu => "GPU",
            DeviceChoice::Cpu => "CPU",
            DeviceChoice::Remote => "Remote",
        }
    }
}

/// A remote server (`ganscope serve` elsewhere): its WebSocket address and the token it
/// expects.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteTarget {
    /// `ws://HOST:PORT`.
    pub address: String,
    pub token: String,
}

impl std::fmt::Debug for RemoteTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a secret: never in a log line.
        write!(f, "RemoteTarget({})", self.address)
    }
}

/// How long connecting to a remote device may take before the user hears that nothing
/// answered.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// `text` as a server address: `ws://HOST:PORT` (a bare `HOST:PORT` gets the `ws://`); an
/// error says what is wrong with it.
pub fn parse_remote_address(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("give the server's address, ws://HOST:PORT".into());
    }
    let rest = match text.split_once("://") {
        Some(("ws", rest)) => rest,
        Some((scheme, _)) => {
            return Err(format!(
                "'{text}': the remote server speaks WebSocket, ws://HOST:PORT, not {scheme}://"
            ));
        }
        None => text,
    };
    let rest = rest.trim_end_matches('/');
    let Some((host, port)) = rest.rsplit_once(':') else {
        return Err(format!("'{text}' has no port: write ws://HOST:PORT"));
    };
    if host.is_empty() || host.contains('/') {
        return Err(format!("'{text}' has no host: write ws://HOST:PORT"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(format!("ws://{host}:{port}")),
        _ => Err(format!("'{port}' in '{text}' is not a port (1 to 65535)")),
    }
}

/// The device the engine actually opened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeviceInfo {
    /// `"wgpu"` or `"flex"`.
    pub backend: String,
    /// The adapter's own name (e.g. `"NVIDIA H100 80GB HBM3"`), or the CPU's description.
    pub name: String,
    /// Why this is not the device that was asked for (a fallback to the CPU), if it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}
