//! Helpers shared by the integration tests.

use ganscope::preset::Preset;
use ganscope::preset::library::PresetLibrary;
use std::path::Path;

/// The shipped presets folder.
pub fn presets_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("presets")
}

/// A shipped preset by name.
pub fn preset(name: &str) -> Preset {
    let library = PresetLibrary::load_dir(&presets_dir());
    library
        .get(name)
        .unwrap_or_else(|| panic!("shipped preset {name} is missing"))
        .clone()
}

/// The presets of the game's variants (losses, penalties, stabilisers, conditioning).
pub const VARIANT_PRESETS: [&str; 6] = [
    "ring8-wgan-gp",
    "grid25-pacgan",
    "digits-wgan-gp",
    "digits-hinge-sn",
    "digits-cgan",
    "shapes-cgan",
];
