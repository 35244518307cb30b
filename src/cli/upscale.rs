//! `ganscope upscale`: enlarge images with the generator of a trained super-resolution run
//! (the upscale task). The input is an image file (PNG, JPEG, GIF, BMP, WebP) or a folder of
//! them, of any size; each output is a PNG `scale` times larger, named after its input,
//! computed in overlapping tiles (`engine::upscaler`). With `--reference` (one input) the
//! result and the bicubic upscaling are scored against that original and one JSON line is
//! printed: `psnr`, `ssim`, `bicubic_psnr`, `bicubic_ssim` (and `sharpness`,
//! `bicubic_sharpness`), with the conventions of `metrics::upscaling` (all channels, `scale`
//! pixels cropped at each border). With `--evaluate` each input is the original: it is shrunk
//! as training shrinks its crops, the shrunk image is upscaled, and the line (with `file`)
//! scores that against the input: the per-photo table of held-out photos.

use super::apply::{decode_any, jobs};
use crate::engine::device;
use crate::engine::trainer::checkpoint;
use crate::engine::upscaler::Upscaler;
use crate::imaging;
use crate::metrics::upscaling;
use crate::protocol::DeviceChoice;
use anyhow::Context;
use std::path::Path;

/// The largest input file read.
const MAX_INPUT_BYTES: u64 = 64 << 20;
/// Image files a folder is searched for.
const EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "gif", "bmp", "webp"];

/// What an upscaling is scored against.
#[derive(Clone, Copy, Debug)]
pub enum Scoring<'a> {
    None,
    /// The original of the (single) input.
    Against(&'a Path),
    /// Each input itself, shrunk before it is upscaled.
    Itself,
}

/// Upscale `input` (a file or a folder) with the generator of `run` into `out` (a file for
/// one input, a folder for a folder), scored as `scoring` says; the score lines printed are
/// also returned.
pub fn run(
    run: &Path,
    input: &Path,
    out: &Path,
    scoring: Scoring,
    choice: DeviceChoice,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let upscaler = load(run, choice)?;
    let jobs = jobs(input, out, &EXTENSIONS)?;
    if matches!(scoring, Scoring::Against(_)) && jobs.len() != 1 {
        anyhow::bail!(
            "--reference scores one image; {} is a folder",
            input.display()
        );
    }
    let (mut failed, mut lines) = (0, Vec::new());
    for (from, to) in &jobs {
        match upscale_file(&upscaler, from, to, scoring) {
            Ok(line) => {
                eprintln!("{} -> {}", from.display(), to.display());
                if let Some(line) = line {
                    println!("{line}");
                    lines.push(line);
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e:#}", from.display());
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} image(s) could not be upscaled", jobs.len());
    }
    Ok(lines)
}

/// The generator of the newest complete checkpoint of `run` (or of the checkpoint itself),
/// built from its preset alone: the run's training data need not be there.
fn load(run: &Path, choice: DeviceChoice) -> anyhow::Result<Upscaler> {
    let at = checkpoint::resolve(run)?;
    let opened = device::open(choice, false).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (generator, preset, step) = checkpoint::generator_of(&at, &opened.device)?;
    let upscaler = Upscaler::new(&generator, &opened.device).with_context(|| {
        format!(
            "preset '{}' has a {}, not a super-resolution generator (train an upscale \
             preset, e.g. digits-sr4)",
            preset.name,
            preset.networks_label()
        )
    })?;
    eprintln!(
        "upscaling {}× with '{}' as of step {step} ({})",
        upscaler.scale(),
        preset.name,
        at.display()
    );
    Ok(upscaler)
}

fn upscale_file(
    upscaler: &Upscaler,
    from: &Path,
    to: &Path,
    scoring: Scoring,
) -> anyhow::Result<Option<serde_json::Value>> {
    let (c, s) = (upscaler.channels(), upscaler.scale());
    let bytes = crate::files::read_limited(from, MAX_INPUT_BYTES)?;
    let (values, height, width) = decode_any(&bytes, c)?;
    let shrink = matches!(scoring, Scoring::Itself);
    let compared = upscaler
        .compare(&values, (height, width), shrink)
        .map_err(|e| anyhow::anyhow!(e))?;
    let size = compared.size(s);
    let image = imaging::to_rgba_rect(&compared.sr, c, size);
    imaging::save_png(&image, to).with_context(|| format!("cannot write {}", to.display()))?;
    let mut original = compared.original;
    if let Scoring::Against(reference) = scoring {
        let bytes = crate::files::read_limited(reference, MAX_INPUT_BYTES)?;
        let (read, rh, rw) = decode_any(&bytes, c)
            .with_context(|| format!("cannot read the reference {}", reference.display()))?;
        if (rh, rw) != size {
            anyhow::bail!(
                "the reference {} is {rw}×{rh} px; the upscaled image is {}×{} px",
                reference.display(),
                size.1,
                size.0
            );
        }
        original = Some(read);
    }
    let Some(original) = original else {
        return Ok(None);
    };
    let scores = upscaling::score(&compared.sr, &compared.bicubic, &original, c, size, s);
    let mut line = serde_json::to_value(&scores)?;
    if let Scoring::Itself = scoring {
        line["file"] = serde_json::Value::from(from.display().to_string());
    }
    Ok(Some(line))
}
