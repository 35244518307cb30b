//! `ganscope apply`: translate images with the generator of a trained image-to-image run
//! (pix2pix). The input is a PNG file or a folder of them; each output is a PNG of the
//! target's channels, named after its input. Images must be square with a side the U-Net
//! accepts; others are refused one by one, with the sizes it takes, and the rest go on.

use crate::engine::device;
use crate::engine::trainer::checkpoint;
use crate::engine::translator::{DRAWS_SEED, Translator};
use crate::imaging;
use crate::protocol::DeviceChoice;
use anyhow::Context;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// The largest input file read.
const MAX_INPUT_BYTES: u64 = 64 << 20;
/// The largest image decoded (the translator refuses bigger sides anyway).
const MAX_SIDE: u32 = 4096;

/// Translate `input` (a PNG or a folder of PNGs) with the generator of `run` (a run folder
/// or one of its checkpoints) into `out` (a file for one input, a folder for a folder).
pub fn run(run: &Path, input: &Path, out: &Path, choice: DeviceChoice) -> anyhow::Result<()> {
    let translator = load(run, choice)?;
    let jobs = jobs(input, out, &["png"])?;
    let mut failed = 0;
    for (from, to) in &jobs {
        match translate_file(&translator, from, to) {
            Ok(()) => println!("{} -> {}", from.display(), to.display()),
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e:#}", from.display());
            }
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} image(s) could not be translated",
            jobs.len()
        );
    }
    Ok(())
}

/// The generator of the newest complete checkpoint of `run` (or of the checkpoint itself).
fn load(run: &Path, choice: DeviceChoice) -> anyhow::Result<Translator> {
    let at = checkpoint::resolve(run)?;
    let preset = checkpoint::preset_of(&at)?;
    if preset.latent_dim() > 0 {
        anyhow::bail!(
            "preset '{}' has a {} that samples from a latent vector; it does not translate \
             images (use `ganscope interpolate` or `sample`)",
            preset.name,
            preset.networks_label()
        );
    }
    // G alone, from the checkpoint's preset: the run's training data need not be there.
    let opened = device::open(choice, false).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (generator, preset, step) = checkpoint::generator_of(&at, &opened.device)?;
    eprintln!(
        "translating with '{}' as of step {step} ({})",
        preset.name,
        at.display()
    );
    Translator::new(&generator, DRAWS_SEED, &opened.device)
        .with_context(|| format!("preset '{}' has no image-to-image generator", preset.name))
}

/// (input, output) pairs: one file, or every file of a folder whose extension is one of
/// `extensions` into a folder; outputs are PNGs named after their inputs.
pub fn jobs(
    input: &Path,
    out: &Path,
    extensions: &[&str],
) -> anyhow::Result<Vec<(PathBuf, PathBuf)>> {
    let meta =
        std::fs::metadata(input).with_context(|| format!("cannot read {}", input.display()))?;
    if !meta.is_dir() {
        let to = if out.is_dir() {
            out.join(output_name(input))
        } else {
            out.to_path_buf()
        };
        return Ok(vec![(input.to_path_buf(), to)]);
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(input)
        .with_context(|| format!("cannot list {}", input.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!(
            "{} holds no image files ({})",
            input.display(),
            extensions.join(", ")
        );
    }
    Ok(files
        .into_iter()
        .map(|f| {
            let to = out.join(output_name(&f));
            (f, to)
        })
        .collect())
}

fn output_name(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "image".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}.png"))
}

fn translate_file(translator: &Translator, from: &Path, to: &Path) -> anyhow::Result<()> {
    let bytes = crate::files::read_limited(from, MAX_INPUT_BYTES)?;
    let (values, side) = decode(&bytes, translator.source_channels())?;
    let output = translator
        .translate(&values, side)
        .map_err(|e| anyhow::anyhow!(e))?;
    let image = imaging::to_rgba(&output, translator.target_channels(), side);
    imaging::save_png(&image, to).with_context(|| format!("cannot write {}", to.display()))
}

/// A PNG as a square image of `channels` (1: luminance; 3: RGB; alpha composited over
/// black), channel-major in [-1, 1], with its side.
pub fn decode(bytes: &[u8], channels: usize) -> anyhow::Result<(Vec<f32>, usize)> {
    let (values, height, width) = decode_any(bytes, channels)?;
    if width != height {
        anyhow::bail!("the image is {width}×{height}; the U-Net takes square images");
    }
    Ok((values, width))
}

/// An image file (any format this build decodes, at most [`MAX_SIDE`] px a side) as
/// `channels` planes (1: luminance; 3: RGB; alpha composited over black), channel-major in
/// [-1, 1], with its height and width.
pub fn decode_any(bytes: &[u8], channels: usize) -> anyhow::Result<(Vec<f32>, usize, usize)> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .context("not a readable image")?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 << 20);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .context("not an image this build can decode (PNG, JPEG, GIF, BMP, WebP)")?;
    let rgba = decoded.to_rgba8();
    let (width, height) = (rgba.width() as usize, rgba.height() as usize);
    let plane = width * height;
    let mut values = vec![0.0f32; channels * plane];
    for (i, pixel) in rgba.pixels().enumerate() {
        let alpha = f32::from(pixel[3]) / 255.0;
        let rgb: [f32; 3] = std::array::from_fn(|c| f32::from(pixel[c]) / 255.0 * alpha);
        if channels == 1 {
            let grey = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
            values[i] = grey * 2.0 - 1.0;
        } else {
            for c in 0..channels {
                values[c * plane + i] = rgb[c.min(2)] * 2.0 - 1.0;
            }
        }
    }
    Ok((values, height, width))
}
