//! What the app remembers between sessions (through eframe's storage): the last preset and
//! device, the open tab, the theme and the slow-motion pace. Window size and panel widths are
//! kept by eframe and egui themselves.

use super::app::Tab;
use crate::protocol::DeviceChoice;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub preset: Option<String>,
    pub device: DeviceChoice,
    pub tab: Tab,
    pub light_theme: bool,
    pub pace_ms: u32,
}
