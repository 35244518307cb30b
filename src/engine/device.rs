//! Choosing and opening the compute device: wgpu for a GPU, burn's `flex` on the CPU.
//!
//! wgpu is initialised once per process (burn refuses a second init); its outcome is cached.
//! `Auto` takes wgpu only when the adapter is a real card (a software rasteriser such as
//! llvmpipe is slower than `flex`, so Auto then stays on the CPU and says why), and only for
//! models big enough to gain from it: a 2-D toy MLP is bound by per-kernel launch latency on a
//! GPU (`ring8-mlp`: ~100 steps/s on an H100 through wgpu against ~1200 on a 2-core CPU), so
//! Auto keeps those on the CPU without asking wgpu at all.

use crate::protocol::{DeviceChoice, DeviceInfo};
use burn::prelude::*;
use std::sync::OnceLock;

/// A device ready for training, what it is, and anything the user should be told about how
/// it was chosen.
pub struct OpenedDevice {
    pub device: Device,
    pub info: DeviceInfo,
    pub notice: Option<String>,
}

impl OpenedDevice {
    /// Whether this is the local CPU (burn's flex backend).
    pub fn is_cpu(&self) -> bool {
        self.info.backend == "flex"
    }
}

struct WgpuAdapter {
    device: Device,
    name: String,
    hardware: bool,
}

static WGPU: OnceLock<Result<WgpuAdapter, String>> = OnceLock::new();

fn wgpu_adapter() -> &'static Result<WgpuAdapter, String> {
    WGPU.get_or_init(|| {
        let attempt = std::panic::catch_unwind(|| Device::wgpu_options().init());
        match attempt {
            Ok(Ok(device)) => {
                let identity = device.identity();
                let name = identity
                    .as_ref()
                    .map(|id| id.name.clone())
                    .unwrap_or_else(|| "unknown adapter".into());
                let hardware = identity.is_some_and(|id| id.physical.is_some());
                Ok(WgpuAdapter {
                    device,
                    name,
                    hardware,
                })
            }
            Ok(Err(e)) => Err(format!("wgpu could not start: {e}")),
            Err(_) => Err("wgpu panicked while starting".into()),
        }
    })
}

/// The CPU device and its description.
pub fn cpu() -> OpenedDevice {
    OpenedDevice {
        device: Device::flex(),
        info: DeviceInfo {
            backend: "flex".into(),
            name: cpu_name(),
            notice: None,
        },
        notice: None,
    }
}

/// Open the device a user asked for, falling back to the CPU with a notice where a GPU cannot
/// start, never panicking. `small_model` says the run is a tiny model that Auto should keep on
/// the CPU. Only a remote device can fail (no server set, unreachable, refused): the error says
/// why, and nothing falls back silently from a machine the user chose to another.
pub fn open(choice: DeviceChoice, small_model: bool) -> Result<OpenedDevice, String> {
    let mut opened = match choice {
        DeviceChoice::Remote => {
            let target = super::remote::target().ok_or(
                "no remote server is set: give --device remote:ws://HOST:PORT, or pick \
                 Remote... in the app",
            )?;
            super::remote::connect(&target)?
        }
        _ => open_device(choice, small_model),
    };
    opened.info.notice = opened.notice.clone();
    Ok(opened)
}

fn open_device(choice: DeviceChoice, small_model: bool) -> OpenedDevice {
    if choice == DeviceChoice::Cpu || (choice == DeviceChoice::Auto && small_model) {
        return cpu();
    }
    let gpu = |a: &WgpuAdapter| OpenedDevice {
        device: a.device.clone(),
        info: DeviceInfo {
            backend: "wgpu".into(),
            name: a.name.clone(),
            notice: None,
        },
        notice: None,
    };
    match (wgpu_adapter(), choice) {
        (Ok(adapter), DeviceChoice::Gpu) if !adapter.hardware => OpenedDevice {
            notice: Some(format!(
                "{} is a software adapter (the CPU drawing as a GPU): an image model's step \
                 can take minutes on it; choose CPU for the fast path",
                adapter.name
            )),
            ..gpu(adapter)
        },
        (Ok(adapter), DeviceChoice::Gpu) => gpu(adapter),
        (Ok(adapter), _) if adapter.hardware => gpu(adapter),
        (Ok(adapter), _) => OpenedDevice {
            notice: Some(format!(
                "wgpu found only a software adapter ({}); training on the CPU (flex), which is \
                 faster. Choose GPU to use it anyway.",
                adapter.name
            )),
            ..cpu()
        },
        (Err(why), _) => OpenedDevice {
            notice: Some(format!("{why}; training on the CPU (flex) instead.")),
            ..cpu()
        },
    }
}

fn cpu_name() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model} ({threads} threads)")
}
