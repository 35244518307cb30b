//! `ganscope data PATH`: what a data set holds, as one JSON line; and `train --data PATH`,
//! which puts a preset's model and game on that data.

use crate::data::files::{self, Found};
use crate::preset::{DatasetSpec, Preset};
use serde_json::json;
use std::path::Path;

/// Print what `path` holds, decoding every file (as 32 px images: grey for IDX sets, RGB
/// for folders) so each is read and checked; an error naming the file and the problem when
/// nothing usable is there.
pub fn run(path: &Path) -> anyhow::Result<()> {
    let channels = match files::detect(path)? {
        Found::Idx { .. } => 1,
        Found::Cifar { .. } | Found::Folder { .. } => 3,
    };
    let set = files::load(path, 32, channels)?;
    let (images, labels) = match &set.found {
        Found::Idx { images, labels } => (
            images.display().to_string(),
            labels.as_ref().map(|l| l.display().to_string()),
        ),
        Found::Cifar { batches, meta } => (
            batches
                .iter()
                .map(|b| b.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            meta.as_ref().map(|m| m.display().to_string()),
        ),
        Found::Folder { root, .. } => (root.display().to_string(), None),
    };
    let skipped: Vec<serde_json::Value> = set
        .skipped
        .iter()
        .map(|(file, why)| json!({ "file": file.display().to_string(), "reason": why }))
        .collect();
    let classes: Vec<serde_json::Value> = set
        .class_names
        .iter()
        .zip(set.class_counts())
        .map(|(name, count)| json!({ "name": name, "count": count }))
        .collect();
    let report = json!({
        "format": set.found.format(),
        "path": path.display().to_string(),
        "images": images,
        "labels": labels,
        "count": set.count,
        "held_out": set.held_out.as_ref().map_or(0, |h| h.count),
        "sizes": set.sizes,
        "classes": classes,
        "skipped": skipped,
        "decoded_as": { "size": 32, "channels": channels },
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

/// Read a preset's file data set with a progress bar on stderr (decoded into the shared
/// cache, so building the run right after does not decode again); the set is returned to be
/// held until the run holds it. Generated data sets need no reading: `None`.
pub fn read_with_progress(preset: &Preset) -> anyhow::Result<Option<files::Held>> {
    let progress = std::sync::Arc::new(files::Progress::default());
    let (shared, dataset) = (progress.clone(), preset.dataset.clone());
    let reader = std::thread::spawn(move || files::read_for(&dataset, &shared));
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("reading data {bar:30} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    while !reader.is_finished() {
        let (done, total) = progress.done_of();
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    bar.finish_and_clear();
    let read = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reading the data failed unexpectedly"))??;
    Ok(read)
}
