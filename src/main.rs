//! The `ganscope` binary: parse the command line and hand over to the GUI or a headless job.

use clap::Parser;
use ganscope::cli::{self, Cli, CliCommand};
use ganscope::preset::library::{self, PresetLibrary};
use ganscope::{engine, ui};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // burn puts loaded optimizer state on its default device, which is wgpu when compiled in:
    // resuming a CPU run would start a GPU runtime (and a wgpu thread that has crashed at
    // exit). The state moves to each parameter's device at the next step anyway, so the CPU
    // is the default here; the models themselves always get an explicit device.
    if std::env::var_os("BURN_DEVICE").is_none() {
        // SAFETY: the first thing `main` does, before any other thread exists, so nothing
        // reads the environment concurrently.
        unsafe { std::env::set_var("BURN_DEVICE", "flex") };
    }
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(CliCommand::Gui { preset: None }) {
        CliCommand::Gui { preset } => {
            let library = PresetLibrary::load_all();
            ui::run_native(library, preset, Vec::new(), engine::spawn)
        }
        CliCommand::Open { runs } => {
            if let Some(missing) = runs.iter().find(|r| !r.is_dir()) {
                anyhow::bail!("{} is not a folder", missing.display());
            }
            let library = PresetLibrary::load_all();
            ui::run_native(library, None, runs, engine::spawn)
        }
        CliCommand::Train {
            preset,
            resume,
            checkpoint_every,
            steps,
            seconds,
            device,
            out,
            data,
        } => {
            let resume = resume
                .map(|path| engine::trainer::checkpoint::resolve(&path))
                .transpose()?;
            let preset = match (&preset, &resume) {
                (Some(name), _) => library::resolve(name)?,
                (None, Some(checkpoint)) => engine::trainer::checkpoint::preset_of(checkpoint)?,
                (None, None) => anyhow::bail!("give --preset or --resume"),
            };
            let preset = match &data {
                Some(path) => cli::data::on_data(preset, path)?,
                None => preset,
            };
            let out = match (out, &resume) {
                (Some(out), _) => out,
                (None, Some(checkpoint)) => engine::trainer::checkpoint::run_of(checkpoint)?,
                (None, None) => cli::train::default_out(&preset)?,
            };
            let checkpoints = cli::train::Checkpointing {
                every: checkpoint_every,
                resume,
                cancel: Some(cli::train::interrupt_flag()?),
                seconds,
            };
            cli::train::run_with(&preset, steps, device, &out, &checkpoints)
        }
        CliCommand::Bench {
            preset,
            device,
            steps,
            profile,
            ui_seconds,
            explore_seconds,
            kernels,
            compare_kernels,
        } => {
            let preset = library::resolve(preset.as_deref().unwrap_or("dcgan32-ref"))?;
            let report = if compare_kernels {
                cli::bench::compare_kernels(&preset)?
            } else {
                ganscope::kernels::set_kernels(kernels.into());
                cli::bench::run(&preset, device, steps, profile, ui_seconds, explore_seconds)?
            };
            println!("{report}");
            Ok(())
        }
        CliCommand::Interpolate {
            checkpoint,
            from,
            to,
            steps,
            mode,
            psi,
            out,
            gif,
            class,
            device,
        } => {
            let walk = cli::interpolate::WalkSpec {
                from,
                to,
                frames: steps,
                mode,
                psi,
                class,
            };
            cli::interpolate::run(&checkpoint, walk, device, &out, gif.as_deref())
        }
        CliCommand::Sample {
            checkpoint,
            preset,
            steps,
            seed,
            n,
            out,
            device,
        } => {
            let source = match (checkpoint, preset) {
                (Some(path), _) => cli::sample::Source::Checkpoint(path),
                (None, Some(name)) => {
                    let mut preset = library::resolve(&name)?;
                    if let Some(seed) = seed {
                        preset.train.seed = seed;
                    }
                    cli::sample::Source::Preset {
                        preset: Box::new(preset),
                        steps,
                    }
                }
                (None, None) => anyhow::bail!("give --checkpoint or --preset"),
            };
            // Bounded to 1..=1 000 000 by the argument parser, so it fits.
            let n = usize::try_from(n)?;
            cli::sample::run(source, n, device, &out)
        }
        CliCommand::Data { path } => cli::data::run(&path),
        CliCommand::Augment {
            checkpoint,
            per_class,
            seeds,
            steps,
            device,
        } => cli::augment::run(&cli::augment::Request {
            checkpoint: &checkpoint,
            // Bounded by the argument parser, so they fit.
            per_class: per_class
                .into_iter()
                .map(usize::try_from)
                .collect::<Result<_, _>>()?,
            seeds: usize::try_from(seeds)?,
            steps: steps.map(usize::try_from).transpose()?,
            device,
        }),
        CliCommand::Serve { port, device, bind } => cli::remote::serve(port, device, bind),
        CliCommand::Synthesize {
            checkpoint,
            per_class,
            psi,
            min_confidence,
            out,
            device,
        } => cli::synthesize::run(&cli::synthesize::Request {
            checkpoint: &checkpoint,
            // Bounded to 1..=100 000 by the argument parser, so it fits.
            per_class: usize::try_from(per_class)?,
            psi,
            min_confidence,
            out: &out,
            device,
        }),
        CliCommand::Apply {
            checkpoint,
            input,
            out,
            device,
        } => cli::apply::run(&checkpoint, &input, &out, device),
        CliCommand::Upscale {
            checkpoint,
            input,
            out,
            reference,
            evaluate,
            device,
        } => {
            let scoring = match (&reference, evaluate) {
                (Some(reference), _) => cli::upscale::Scoring::Against(reference),
                (None, true) => cli::upscale::Scoring::Itself,
                (None, false) => cli::upscale::Scoring::None,
            };
            cli::upscale::run(&checkpoint, &input, &out, scoring, device).map(drop)
        }
        CliCommand::Presets => {
            let dir = library::default_dir();
            let library = PresetLibrary::load_dir(&dir);
            println!("presets in {}:", dir.display());
            for p in &library.presets {
                println!("  {:<16} {}", p.name, p.description);
            }
            for e in &library.errors {
                println!("  failed: {e}");
            }
            Ok(())
        }
    }
}
