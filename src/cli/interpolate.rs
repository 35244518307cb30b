//! `ganscope interpolate`: a walk between two seeds through a generator saved by
//! `ganscope train`, headless. Image models give a strip PNG (and optionally a looping GIF);
//! 2-D models give the path's points drawn over the real data.

use crate::engine::snapshot::Snapshot;
use crate::engine::trainer;
use crate::imaging;
use crate::latent::{self, InterpMode};
use crate::protocol::{DeviceChoice, Rendered};
use anyhow::Context;
use std::path::Path;

/// Frames a walk may have.
pub const FRAMES: std::ops::RangeInclusive<usize> = 2..=256;
/// Frame time of the GIF.
const GIF_FRAME_MS: u32 = 90;

/// The walk to draw.
#[derive(Clone, Copy, Debug)]
pub struct WalkSpec {
    pub from: u64,
    pub to: u64,
    pub frames: usize,
    pub mode: InterpMode,
    /// Truncation: 1 leaves the latents as they are, 0 collapses them to the mean.
    pub psi: f32,
    /// The class of every frame, for a conditional generator (class 0 when not given).
    pub class: Option<usize>,
}

pub fn run(
    checkpoint: &Path,
    walk: WalkSpec,
    device: DeviceChoice,
    out: &Path,
    gif: Option<&Path>,
) -> anyhow::Result<()> {
    if !FRAMES.contains(&walk.frames) {
        anyhow::bail!("--steps must be between 2 and 256, not {}", walk.frames);
    }
    if !(0.0..=2.0).contains(&walk.psi) {
        anyhow::bail!("--psi must be between 0 and 2, not {}", walk.psi);
    }
    let (snapshot, preset) = Snapshot::load(checkpoint, device)?;
    if let (Some(class), Some(classes)) = (walk.class, snapshot.classes())
        && class >= classes
    {
        anyhow::bail!("--class must be below {classes} for '{}'", preset.name);
    }
    let dim = snapshot.latent_dim();
    let zero = vec![0.0; dim];
    let latents: Vec<Vec<f32>> = latent::path(
        &latent::from_seed(walk.from, dim),
        &latent::from_seed(walk.to, dim),
        walk.frames,
        walk.mode,
    )
    .iter()
    .map(|z| latent::truncate(z, &zero, walk.psi))
    .collect();
    let rendered = snapshot
        .render(&latents, walk.class)
        .context("the generator and its preset disagree on the latent size")?;
    match rendered {
        Rendered::Images(frames) => {
            imaging::save_png(&imaging::mosaic(&frames, frames.len()), out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            if let Some(gif) = gif {
                imaging::save_gif(
                    &frames,
                    GIF_FRAME_MS,
                    imaging::Playback::ThereAndBack,
                    gif,
                    &mut |_, _| true,
                )
                .with_context(|| format!("cannot write {}", gif.display()))?;
            }
        }
        Rendered::Points(points) => {
            if gif.is_some() {
                anyhow::bail!(
                    "--gif needs an image model; '{}' makes 2-D points",
                    preset.name
                );
            }
            let real = trainer::real_points(&preset);
            let bounds = crate::data::toy2d::framing_bounds(&real);
            imaging::save_png(
                &imaging::scatter(&real, &points, bounds, imaging::SCATTER_PX),
                out,
            )
            .with_context(|| format!("cannot write {}", out.display()))?;
        }
        Rendered::Failed(why) => anyhow::bail!(why),
    }
    eprintln!(
        "{} walk from seed {} to seed {} in {} frames ({}) through {} -> {}",
        walk.mode.label(),
        walk.from,
        walk.to,
        walk.frames,
        preset.name,
        checkpoint.display(),
        out.display()
    );
    Ok(())
}
