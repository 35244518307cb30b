//! Turning what the user did into state changes and engine commands: keyboard shortcuts,
//! and every [`Action`] of the panels (also how tests and the benches press buttons).

use super::{GanscopeApp, Tab};
use crate::protocol::{Command, SampleView, Tiles};
use crate::ui::controls::Action;

impl GanscopeApp {
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) -> Vec<Action> {
        if ctx.egui_wants_keyboard_input() {
            return Vec::new();
        }
        let mut actions = Vec::new();
        let mut quit = false;
        ctx.input(|input| {
            quit = input.modifiers.command && input.key_pressed(egui::Key::Q);
            if input.key_pressed(egui::Key::Space) {
                actions.push(if self.run.running {
                    Action::Pause
                } else {
                    Action::Train
                });
            }
            if input.modifiers.command && input.key_pressed(egui::Key::S) {
                actions.push(Action::SaveCheckpoint);
            } else if input.modifiers.command && input.key_pressed(egui::Key::O) {
                actions.push(Action::OpenRun);
            } else if input.key_pressed(egui::Key::S) && !self.run.running {
                actions.push(Action::StepOnce);
            }
            if input.key_pressed(egui::Key::Num1) {
                actions.push(Action::ShowTab(Tab::Training));
            }
            if input.key_pressed(egui::Key::Num2) {
                actions.push(Action::ShowTab(Tab::Explorer));
            }
            if input.key_pressed(egui::Key::Num3) {
                actions.push(Action::ShowTab(Tab::Health));
            }
            if input.key_pressed(egui::Key::Num4) {
                actions.push(Action::ShowTab(Tab::Lab));
            }
            if input.key_pressed(egui::Key::F1) {
                self.show_help = !self.show_help;
            }
            if input.key_pressed(egui::Key::F12) {
                self.show_overlay = !self.show_overlay;
            }
        });
        if quit {
            // eframe then calls `on_exit`, which lets the engine save the last checkpoint.
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        actions
    }

    /// A run the engine loaded by itself (a continued checkpoint) shows its preset as the
    /// selected one, so that Train goes on with it rather than reloading another.
    pub(super) fn follow_loaded_preset(&mut self, name: &str) {
        let current = self.selected.and_then(|i| self.presets.get(i));
        if current.is_some_and(|p| p.name == name) {
            return;
        }
        if let Some(index) = self.presets.iter().position(|p| p.name == name) {
            self.selected = Some(index);
            self.loaded = Some((index, self.device));
        }
    }

    pub(super) fn load_selected(&mut self) {
        let Some(index) = self.selected else {
            return;
        };
        self.link.send(Command::Load {
            preset: Box::new(self.presets[index].clone()),
            device: self.device,
        });
        self.loaded = Some((index, self.device));
    }

    /// Apply one user action (also how tests and the frame bench press buttons). Leaving a
    /// run that has trained (another preset or device, Reset) asks first; see
    /// [`Self::confirm_leaving`].
    pub fn apply_action(&mut self, action: Action) {
        let leaves_run = matches!(
            action,
            Action::SelectPreset(_) | Action::SelectDevice(_) | Action::Reset
        );
        if leaves_run && self.run.info.is_some() && self.run.step > 0 {
            self.leaving = Some(action);
        } else {
            self.apply_now(action);
        }
    }

    /// Apply `action` without asking.
    pub(super) fn apply_now(&mut self, action: Action) {
        match action {
            Action::SelectPreset(i) => {
                self.selected = Some(i);
                self.load_selected();
            }
            Action::SelectDevice(choice) => {
                self.device = choice;
                self.load_selected();
            }
            Action::Train | Action::StepOnce => {
                if self.run.info.is_none() || self.loaded != self.selected.zip(Some(self.device)) {
                    self.load_selected();
                }
                self.link.send(if action == Action::Train {
                    Command::Run
                } else {
                    Command::Step(1)
                });
            }
            Action::CancelLoad => {
                self.link.send(Command::CancelLoad);
                self.run.loading = None;
            }
            Action::Pause => {
                self.link.send(Command::Pause);
            }
            Action::Reset => {
                self.link.send(Command::Reset);
            }
            Action::ShowTab(tab) => self.tab = tab,
            Action::OpenRemote => self.open_remote(),
            Action::Reconnect(checkpoint) => self.reconnect(checkpoint),
            Action::Export(kind) => self.export(kind),
            Action::SetPace(ms) => {
                self.pace_ms = ms;
                self.link.send(Command::SetPace(ms));
            }
            Action::Pick(pick)
                if matches!(
                    &self.run.samples,
                    Some((
                        _,
                        SampleView::Grid {
                            meaning: Tiles::HeldOutPairs,
                            ..
                        }
                    ))
                ) =>
            {
                // A held-out pair goes onto the draw-and-translate canvas.
                if self
                    .explorer
                    .pick_pair(self.run.samples.as_ref(), pick.tile / 3)
                {
                    self.tab = Tab::Explorer;
                }
            }
            Action::Pick(pick)
                if matches!(
                    &self.run.samples,
                    Some((
                        _,
                        SampleView::Grid {
                            meaning: Tiles::Upscaled,
                            ..
                        }
                    ))
                ) =>
            {
                // A held-out crop goes to the before/after comparison.
                if self
                    .explorer
                    .pick_crop(self.run.samples.as_ref(), pick.tile / 4)
                {
                    self.tab = Tab::Explorer;
                }
            }
            Action::Pick(pick) => {
                // A conditional grid has one row per class, the same seed down each column.
                let columns = match (&self.run.info, &self.run.samples) {
                    (Some(info), Some((_, SampleView::Grid { columns, .. })))
                        if info.classes.is_some() =>
                    {
                        Some(*columns)
                    }
                    _ => None,
                };
                let (seed, class) = match columns {
                    Some(c) => ((pick.tile % c) as u64, Some(pick.tile / c)),
                    None => (pick.tile as u64, None),
                };
                self.explorer.pick(seed, class, pick.secondary);
                if !pick.secondary {
                    self.tab = Tab::Explorer;
                }
            }
            Action::DismissMessage(i) => {
                if i < self.run.messages.len() {
                    self.run.messages.remove(i);
                }
            }
            Action::SetBalance(balance) => {
                self.link.send(Command::SetBalance(balance));
            }
            Action::SaveCheckpoint
            | Action::OpenRun
            | Action::OpenData
            | Action::ChooseRunsFolder
            | Action::SetRecording(_)
            | Action::SetCheckpointEvery(_) => self.apply_file_action(action),
        }
    }
}
