//! `ganscope data PATH`: what a data set holds, as one JSON line; and `train --data PATH`,
//! which puts a preset's model and game on that data.

use crate::data::files::{self, Found};
use crate::preset::{DatasetSpec, Preset};
use serde_json::json;
use std::path::Path;

/// Print what `path` holds, decoded as the usual 32 px grey images (so every file is read
/// and checked); an error naming the file and the problem when nothing usable is there.
pub fn run(path: &Path) -> anyhow::Result<()> {
    let set = files::load(path, 32, 1)?;
    let Found::Idx { images, labels } = &set.found;
    let classes: Vec<serde_json::Value> = set
        .class_names
        .iter()
        .zip(set.class_counts())
        .map(|(name, count)| json!({ "name": name, "count": count }))
        .collect();
    let report = json!({
        "format": set.found.format(),
        "path": path.display().to_string(),
        "images_file": images.display().to_string(),
        "labels_file": labels.as_ref().map(|l| l.display().to_string()),
        "count": set.count,
        "channels": 1,
        "sizes": [[set.source_size.0, set.source_size.1]],
        "classes": classes,
        "skipped": [],
    });
    println!("{report}");
    Ok(())
}

/// `preset` with its data set replaced by the file set at `path`, at the preset's image size
/// and channel count (a preset on 2-D points cannot take images).
pub fn on_data(mut preset: Preset, path: &Path) -> anyhow::Result<Preset> {
    let Some(size) = preset.dataset.image_size() else {
        anyhow::bail!(
            "preset '{}' trains on 2-D points; give an image preset (e.g. digits-dcgan) as the \
             template for --data",
            preset.name
        );
    };
    let channels = match preset.dataset {
        DatasetSpec::Shapes { .. }
        | DatasetSpec::ShapesOutline { .. }
        | DatasetSpec::ShapesGrey { .. } => 3,
        DatasetSpec::Files { channels, .. } => channels,
        _ => 1,
    };
    if preset.dataset.is_paired() {
        anyhow::bail!(
            "preset '{}' translates paired images; paired file sets are not read yet",
            preset.name
        );
    }
    files::detect(path)?;
    preset.dataset = DatasetSpec::Files {
        path: path.display().to_string(),
        size,
        channels,
    };
    // The labels of a file set are not known to the preset's checks.
    if preset.conditional() {
        anyhow::bail!(
            "preset '{}' is conditional; conditional models on file sets are not supported yet",
            preset.name
        );
    }
    preset.validate()?;
    Ok(preset)
}
