//! `ganscope upscale`: enlarge images with the generator of a trained super-resolution run
//! (the upscale task). The input is an image file (PNG, JPEG, GIF, BMP, WebP) or a folder of
//! them, of any size; each output is a PNG `scale` times larger, named after its input,
//! computed in overlapping tiles (`engine::upscaler`). With `--reference` (one input) the
//! result and the bicubic upscaling are scored against that original and one JSON line is
//! printed: `psnr`, `ssim`, `bicubic_psnr`, `bicubic_ssim` (and `sharpness`), with the
//! conventions of `metrics::upscaling` (all channels, `scale` pixels cropped at each border).

use super::apply::{decode_any, jobs};
use crate::data::resample;
use crate::engine::trainer::checkpoint;
use crate::engine::upscaler::Upscaler;
use crate::engine::{Trainer, device};
use crate::imaging;
use crate::metrics::upscaling;
use crate::protocol::DeviceChoice;
use anyhow::Context;
use std::path::Path;

/// The largest input file read.
const MAX_INPUT_BYTES: u64 = 64 << 20;
/// Image files a folder is searched for.
const EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "gif", "bmp", "webp"];

/// Upscale `input` (a file or a folder) with the generator of `run` into `out` (a file for
/// one input, a folder for a folder); score against `reference` when given.
pub fn run(
    run: &Path,
    input: &Path,
    out: &Path,
    reference: Option<&Path>,
    choice: DeviceChoice,
) -> anyhow::Result<()> {
    let upscaler = load(run, choice)?;
    let jobs = jobs(input, out, &EXTENSIONS)?;
    if reference.is_some() && jobs.len() != 1 {
        anyhow::bail!(
            "--reference scores one image; {} is a folder",
            input.display()
        );
    }
    let mut failed = 0;
    for (from, to) in &jobs {
        match upscale_file(&upscaler, from, to, reference) {
            Ok(()) => eprintln!("{} -> {}", from.display(), to.display()),
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e:#}", from.display());
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} image(s) could not be upscaled", jobs.len());
    }
    Ok(())
}

/// The generator of the newest complete checkpoint of `run` (or of the checkpoint itself).
fn load(run: &Path, choice: DeviceChoice) -> anyhow::Result<Upscaler> {
    let at = checkpoint::resolve(run)?;
    let preset = checkpoint::preset_of(&at)?;
    let opened = device::open(choice, false);
    let mut trainer = Trainer::try_new(&preset, &opened)?;
    trainer.load_checkpoint(&at)?;
    let upscaler = trainer.upscaler().with_context(|| {
        format!(
            "preset '{}' has a {}, not a super-resolution generator (train an upscale \
             preset, e.g. digits-sr4)",
            preset.name,
            preset.networks_label()
        )
    })?;
    eprintln!(
        "upscaling {}× with '{}' as of step {} ({})",
        upscaler.scale(),
        preset.name,
        trainer.steps_done(),
        at.display()
    );
    Ok(upscaler)
}

fn upscale_file(
    upscaler: &Upscaler,
    from: &Path,
    to: &Path,
    reference: Option<&Path>,
) -> anyhow::Result<()> {
    let (c, s) = (upscaler.channels(), upscaler.scale());
    let bytes = crate::files::read_limited(from, MAX_INPUT_BYTES)?;
    let (values, height, width) = decode_any(&bytes, c)?;
    let output = upscaler
        .upscale(&values, (height, width))
        .map_err(|e| anyhow::anyhow!(e))?;
    let size = (height * s, width * s);
    let image = imaging::to_rgba_rect(&output, c, size);
    imaging::save_png(&image, to).with_context(|| format!("cannot write {}", to.display()))?;
    if let Some(reference) = reference {
        let bytes = crate::files::read_limited(reference, MAX_INPUT_BYTES)?;
        let (original, rh, rw) = decode_any(&bytes, c)
            .with_context(|| format!("cannot read the reference {}", reference.display()))?;
        if (rh, rw) != size {
            anyhow::bail!(
                "the reference {} is {rw}×{rh} px; the upscaled image is {}×{} px",
                reference.display(),
                size.1,
                size.0
            );
        }
        let bicubic = resample::bicubic(&values, c, (height, width), size);
        let scores = upscaling::score(&output, &bicubic, &original, c, size, s);
        println!("{}", serde_json::to_string(&scores)?);
    }
    Ok(())
}
