//! `ganscope data PATH`: what a data set holds, as one JSON line; and `train --data PATH`,
//! which puts a preset's model and game on that data.

use crate::data::files::{self, Found};
use crate::preset::Preset;
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

/// `preset`'s model and game on the file set at `path` (paired files for a translate preset),
/// at the preset's image size and channels (a preset on 2-D points cannot take images).
pub fn on_data(preset: Preset, path: &Path) -> anyhow::Result<Preset> {
    let Some(size) = preset.dataset.image_size() else {
        anyhow::bail!(
            "preset '{}' trains on 2-D points; give an image preset (e.g. digits-dcgan) as the \
             template for --data",
            preset.name
        );
    };
    let channels = preset.image_channels();
    // A labelled set's classes, so a conditional template can be checked.
    let classes = if preset.dataset.is_paired() {
        files::paired::detect(path)?;
        None
    } else if matches!(preset.dataset, crate::preset::DatasetSpec::Photos { .. }) {
        None
    } else {
        let set = files::load(path, size, channels.1)?;
        (!set.class_names.is_empty()).then_some(set.class_names.len())
    };
    Ok(preset.on_files(path, size, channels, classes)?)
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
