//! The engine thread's answers to the front end's commands: loading, resetting, resuming
//! and forking runs, live balance changes, exports and checkpoints.

use super::{Engine, Mode};
use crate::engine::trainer::Trainer;
use crate::protocol::{Command, Event};
use crate::runs::EventKind;
use std::time::{Duration, Instant};

impl Engine {
    pub(super) fn handle(&mut self, command: Command) {
        match command {
            Command::Load { preset, device } => {
                self.set_mode(Mode::Paused);
                // The run being left keeps a checkpoint of its last step.
                let closing = self.recording.close(self.trainer.as_ref());
                self.emit_all(closing);
                self.trainer = None;
                let _ = self.snapshots.send(None);
                self.load(preset, device);
            }
            Command::CancelLoad => self.cancel_loading(true),
            Command::Reset => {
                self.set_mode(Mode::Paused);
                let closing = self.recording.close(self.trainer.as_ref());
                self.emit_all(closing);
                if let Some(trainer) = self.trainer.take() {
                    // The old run keeps its data alive while the new one opens it (no decode).
                    let restarted = trainer.restarted();
                    drop(trainer);
                    match restarted {
                        Ok(fresh) => self.install(fresh),
                        Err(e) => self.emit(Event::Error {
                            message: format!("cannot reset: {e}"),
                            fatal_to_run: false,
                        }),
                    }
                }
            }
            Command::Resume {
                checkpoint,
                preset,
                device,
                fork,
            } => {
                self.set_mode(Mode::Paused);
                self.trainer = None;
                let ended = self.recording.end();
                self.emit_all(ended);
                let _ = self.snapshots.send(None);
                if let Err(e) = self.resume(&checkpoint, preset, device, fork) {
                    self.emit(Event::Error {
                        message: format!("cannot continue {}: {e:#}", checkpoint.display()),
                        fatal_to_run: false,
                    });
                }
            }
            Command::SetRemote(target) => crate::engine::remote::set_target(target),
            Command::Run => self.set_mode(Mode::Running),
            Command::Pause => self.set_mode(Mode::Paused),
            Command::Step(n) if n > 0 => self.set_mode(Mode::Stepping(n)),
            Command::Step(_) => {}
            Command::PublishSnapshot => self.publish(),
            Command::RecordInto(root) => self.recording.set_root(root),
            Command::SetBalance(balance) => self.set_balance(balance),
            Command::SetCheckpointEvery(every) => self.recording.set_every(every),
            Command::SaveCheckpoint => {
                self.flush();
                if let Some(trainer) = self.trainer.as_ref() {
                    let events = self.recording.checkpoint(trainer, true);
                    self.emit_all(events);
                }
            }
            Command::ExportGenerator(folder) => {
                if let Some(trainer) = self.trainer.as_ref() {
                    self.emit(match trainer.export_generator(&folder) {
                        Ok(()) => Event::Done(format!(
                            "saved the generator of step {} to {}",
                            trainer.steps_done(),
                            folder.display()
                        )),
                        Err(e) => Event::Error {
                            message: format!("could not save the generator: {e:#}"),
                            fatal_to_run: false,
                        },
                    });
                }
            }
            Command::NearestNeighbours => {
                if let Some(trainer) = self.trainer.as_mut() {
                    let step = trainer.steps_done();
                    if let Some((image, distances)) = trainer.nearest_neighbours() {
                        self.emit(Event::Neighbours {
                            step,
                            image,
                            distances,
                        });
                    }
                }
            }
            Command::SetPace(ms) => {
                self.pace = Duration::from_millis(u64::from(ms));
                self.next_step_at = Instant::now();
            }
            Command::SimulateCrash => panic!("simulated crash requested from the debug overlay"),
            // `serve` ends the thread on Shutdown before any command is handled here.
            Command::Shutdown => {}
        }
    }

    /// Apply new balance settings at the next step, and log what changed.
    fn set_balance(&mut self, balance: crate::preset::Balance) {
        let Some(trainer) = self.trainer.as_mut() else {
            return;
        };
        match trainer.set_balance(balance) {
            Ok(changes) if changes.is_empty() => {}
            Ok(changes) => {
                let step = trainer.steps_done();
                let applied = trainer.balance();
                let event = self
                    .recording
                    .log(step, EventKind::Change, changes.join(", "));
                self.emit(event);
                self.emit(Event::BalanceApplied(applied));
            }
            Err(why) => self.emit(Event::Error {
                message: format!("that change was not applied: {why}"),
                fatal_to_run: false,
            }),
        }
    }

    /// Load a checkpoint into a new trainer and install it, with its history.
    fn resume(
        &mut self,
        checkpoint: &std::path::Path,
        preset: Option<Box<crate::preset::Preset>>,
        device: crate::protocol::DeviceChoice,
        fork: bool,
    ) -> anyhow::Result<()> {
        let preset = match preset {
            Some(p) => *p,
            None => crate::engine::trainer::checkpoint::preset_of(checkpoint)?,
        };
        let opened = self
            .open_device(&preset, device)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut trainer = Trainer::try_new(&preset, &opened)?;
        trainer.load_checkpoint(checkpoint)?;
        // The run being left keeps a checkpoint of its last step and lets go of its folder
        // (which may be the one continued in place).
        self.set_mode(Mode::Paused);
        let closing = self.recording.close(self.trainer.as_ref());
        self.emit_all(closing);
        let (events, history) = self.recording.resume(&trainer, checkpoint, fork)?;
        self.install(trainer);
        self.emit(Event::Metrics(history));
        self.emit_all(events);
        Ok(())
    }
}
