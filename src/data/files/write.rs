//! Writing a labelled image set that ganscope's own loaders (and other tools) read back: the
//! synthetic sets of the augmentation lab. One folder holds
//!
//! - `images/NN-name/IIIIII.png`: one subfolder per class, numbered so that their sorted
//!   order is the label order (the folder loader labels classes by sorted name), the name
//!   made safe for any file system;
//! - `synthetic-images-idx3-ubyte` and `synthetic-labels-idx1-ubyte`: the IDX pair, for
//!   single-channel images of at most 256 classes (IDX labels are bytes, and IDX has no
//!   colour layout that MNIST readers agree on: other sets are written as the folder only);
//! - `classes.txt`: the class names as given, one per line.
//!
//! Nothing half-written is left behind: the set is written into a hidden sibling folder and
//! renamed into place at the end; an error or a cancel removes it. The destination must not
//! exist yet (an export never overwrites).

use super::idx;
use std::path::{Path, PathBuf};

/// Images to write: `count` of `channels` × `side`² bytes, channel-major, each with a label
/// indexing `class_names`.
pub struct LabelledImages<'a> {
    pub channels: usize,
    pub side: usize,
    pub pixels: &'a [u8],
    pub labels: &'a [u32],
    pub class_names: &'a [String],
}

/// Why a set was not written.
#[derive(Debug, PartialEq)]
pub enum WriteError {
    /// The caller asked to stop; nothing is left on disk.
    Cancelled,
    /// What went wrong, naming the path.
    Failed(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Cancelled => f.write_str("cancelled: nothing was written"),
            WriteError::Failed(why) => f.write_str(why),
        }
    }
}

/// The subfolder of class `index` named `name`: its number zero-padded to the width of the
/// largest, then the name made safe for a file system (see [`crate::runs::safe_name`]).
pub fn class_folder(index: usize, classes: usize, name: &str) -> String {
    let width = classes.saturating_sub(1).to_string().len().max(2);
    format!("{index:0width$}-{}", crate::runs::safe_name(name))
}

/// One image (channel-major bytes) as PNG bytes.
fn png(pixels: &[u8], channels: usize, side: usize) -> Result<Vec<u8>, String> {
    let plane = side * side;
    let interleaved: Vec<u8> = (0..plane)
        .flat_map(|p| (0..channels).map(move |c| pixels[c * plane + p]))
        .collect();
    let colour = match channels {
        1 => image::ExtendedColorType::L8,
        3 => image::ExtendedColorType::Rgb8,
        c => return Err(format!("{c} channels cannot be written as PNG")),
    };
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &interleaved,
        side as u32,
        side as u32,
        colour,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Writes `set` as the folder `dest` (see the module's note). `keep_going(done, total)` is
/// asked after each image; false cancels. Returns the folder written.
pub fn write_set(
    set: &LabelledImages,
    dest: &Path,
    mut keep_going: impl FnMut(usize, usize) -> bool,
) -> Result<PathBuf, WriteError> {
    let fail = |path: &Path, e: &dyn std::fmt::Display| {
        WriteError::Failed(format!("{}: {e}", path.display()))
    };
    let per_image = set.channels * set.side * set.side;
    let count = set.labels.len();
    if set.pixels.len() != count * per_image || per_image == 0 {
        return Err(WriteError::Failed(format!(
            "{} bytes are not {count} images of {} × {}²",
            set.pixels.len(),
            set.channels,
            set.side
        )));
    }
    if let Some(bad) = set
        .labels
        .iter()
        .find(|&&l| l as usize >= set.class_names.len())
    {
        return Err(WriteError::Failed(format!(
            "label {bad} but only {} classes",
            set.class_names.len()
        )));
    }
    if dest.exists() {
        return Err(fail(dest, &"already exists: choose a new folder"));
    }
    let name = dest
        .file_name()
        .ok_or_else(|| fail(dest, &"is not a folder name"))?;
    let partial = dest.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let _ = std::fs::remove_dir_all(&partial);
    let result = write_into(set, &partial, &mut keep_going, &fail)
        .and_then(|()| std::fs::rename(&partial, dest).map_err(|e| fail(dest, &e)));
    match result {
        Ok(()) => Ok(dest.to_path_buf()),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(e)
        }
    }
}

fn write_into(
    set: &LabelledImages,
    root: &Path,
    keep_going: &mut impl FnMut(usize, usize) -> bool,
    fail: &impl Fn(&Path, &dyn std::fmt::Display) -> WriteError,
) -> Result<(), WriteError> {
    let per_image = set.channels * set.side * set.side;
    let classes = set.class_names.len();
    let folders: Vec<PathBuf> = set
        .class_names
        .iter()
        .enumerate()
        .map(|(i, name)| root.join("images").join(class_folder(i, classes, name)))
        .collect();
    for (i, folder) in folders.iter().enumerate() {
        if set.labels.contains(&(i as u32)) {
            std::fs::create_dir_all(folder).map_err(|e| fail(folder, &e))?;
        }
    }
    let total = set.labels.len();
    for (n, (&label, pixels)) in set
        .labels
        .iter()
        .zip(set.pixels.chunks_exact(per_image))
        .enumerate()
    {
        let path = folders[label as usize].join(format!("{n:06}.png"));
        let bytes = png(pixels, set.channels, set.side).map_err(|e| fail(&path, &e))?;
        std::fs::write(&path, bytes).map_err(|e| fail(&path, &e))?;
        if !keep_going(n + 1, total) {
            return Err(WriteError::Cancelled);
        }
    }
    if set.channels == 1 && classes <= 256 {
        let side = set.side as u32;
        let images = idx::encode(&[total as u32, side, side], set.pixels);
        let labels: Vec<u8> = set.labels.iter().map(|&l| l as u8).collect();
        for (file, bytes) in [
            ("synthetic-images-idx3-ubyte", images),
            (
                "synthetic-labels-idx1-ubyte",
                idx::encode(&[total as u32], &labels),
            ),
        ] {
            let path = root.join(file);
            std::fs::write(&path, bytes).map_err(|e| fail(&path, &e))?;
        }
    }
    let names = root.join("classes.txt");
    std::fs::write(&names, set.class_names.join("\n") + "\n").map_err(|e| fail(&names, &e))
}
