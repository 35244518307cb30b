//! Loading every preset of a folder: good files become presets, broken ones become named
//! errors, and one broken file never hides the others.

use super::{Preset, PresetError};
use std::path::{Path, PathBuf};

/// The presets of one folder, sorted by name, and the files that failed.
#[derive(Debug, Default)]
pub struct PresetLibrary {
    pub presets: Vec<Preset>,
    pub errors: Vec<PresetError>,
}

impl PresetLibrary {
    /// The shipped presets (see [`default_dir`]) and the user's (see [`user_dir`]), when
    /// that folder exists; a user preset named like a shipped one is left out, saying so.
    pub fn load_all() -> PresetLibrary {
        let mut library = PresetLibrary::load_dir(&default_dir());
        let user = user_dir();
        if user.is_dir() {
            let theirs = PresetLibrary::load_dir(&user);
            for preset in theirs.presets {
                if library.presets.iter().any(|p| p.name == preset.name) {
                    library.errors.push(PresetError::Invalid {
                        name: preset.name.clone(),
                        message: format!(
                            "a user preset in {} has the name of a shipped preset; rename it",
                            user.display()
                        ),
                    });
                } else {
                    library.presets.push(preset);
                }
            }
            library.errors.extend(theirs.errors);
        }
        library
    }

    /// Load every `*.toml` in `dir`. A missing folder is an error entry, not a panic.
    pub fn load_dir(dir: &Path) -> PresetLibrary {
        let mut library = PresetLibrary::default();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(source) => {
                library.errors.push(PresetError::Io {
                    path: dir.display().to_string(),
                    source,
                });
                return library;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            match Preset::from_file(&path) {
                Ok(preset) => library.add(preset, &path),
                Err(e) => library.errors.push(e),
            }
        }
        library.presets.sort_by(|a, b| a.name.cmp(&b.name));
        library
    }

    fn add(&mut self, preset: Preset, path: &Path) {
        if self.presets.iter().any(|p| p.name == preset.name) {
            self.errors.push(PresetError::Invalid {
                name: preset.name,
                message: format!("{} repeats a name already loaded", path.display()),
            });
        } else {
            self.presets.push(preset);
        }
    }

    /// The preset called `name`.
    pub fn get(&self, name: &str) -> Option<&Preset> {
        self.presets.iter().find(|p| p.name == name)
    }
}

/// The folder the built-in presets are read from: `$GANSCOPE_PRESETS`, else `./presets`,
/// else the `presets/` folder of the source tree this binary was built from.
/// The user's presets (made with *Open data…*, or written by hand): `~/ganscope/presets`,
/// or `$GANSCOPE_USER_PRESETS`.
pub fn user_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GANSCOPE_USER_PRESETS") {
        return PathBuf::from(dir);
    }
    std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .map_or_else(
            || PathBuf::from("user-presets"),
            |h| h.join("ganscope").join("presets"),
        )
}

pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GANSCOPE_PRESETS") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("presets");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("presets")
}

/// Resolve `--preset`: a path to a `.toml` file, or a name in the default folder.
pub fn resolve(name_or_path: &str) -> anyhow::Result<Preset> {
    let path = Path::new(name_or_path);
    if path.extension().is_some_and(|e| e == "toml") || path.is_file() {
        return Ok(Preset::from_file(path)?);
    }
    if path.is_dir() {
        anyhow::bail!(
            "{} is a folder, not a preset: give a preset's name or its .toml file",
            path.display()
        );
    }
    let library = PresetLibrary::load_all();
    match library.get(name_or_path) {
        Some(preset) => Ok(preset.clone()),
        None => {
            let known: Vec<&str> = library.presets.iter().map(|p| p.name.as_str()).collect();
            anyhow::bail!(
                "no preset named '{name_or_path}' in {} or {} (known: {})",
                default_dir().display(),
                user_dir().display(),
                known.join(", ")
            )
        }
    }
}
