//! The *Remote...* device: a small window asking where `ganscope serve` runs (its WebSocket
//! address, usually the local end of an SSH tunnel) and its token. **Connect** hands both to
//! the engine, which connects on its own thread (the window never waits) and loads the preset
//! there: the side panel says "connecting", then the remote device, or why it failed. The
//! address is remembered between sessions; the token only when the user ticks *Remember the
//! token* (it is then stored in the app's settings file, in clear).

use crate::protocol::{RemoteTarget, parse_remote_address as address_of};

/// The window's fields.
#[derive(Clone, Debug, Default)]
pub struct RemoteDialog {
    pub address: String,
    pub token: String,
    pub remember_token: bool,
    /// Why the last Connect was refused before anything was sent.
    problem: Option<String>,
    /// Why the window opened by itself (the last session trained on a remote device).
    pub note: Option<String>,
}

impl RemoteDialog {
    /// The window, filled with a remembered address and token.
    pub fn new(address: String, token: Option<String>) -> RemoteDialog {
        RemoteDialog {
            address,
            remember_token: token.is_some(),
            token: token.unwrap_or_default(),
            problem: None,
            note: None,
        }
    }
}

/// What the window asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoteAnswer {
    Connect {
        target: RemoteTarget,
        remember_token: bool,
    },
    Cancel,
}

impl RemoteDialog {
    /// Draws the window; `Some` once the user connects or cancels.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<RemoteAnswer> {
        let mut answer = None;
        egui::Window::new("Remote device")
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                if let Some(note) = &self.note {
                    ui.colored_label(ui.visuals().warn_fg_color, note);
                }
                ui.label(
                    "Train on the device of a ganscope serve running elsewhere (a GPU \
                     machine); this window, autodiff and the data stay here.",
                );
                // Fixed-size fields: in an auto-sized window a text field would shrink to
                // nothing (seen under Xvfb).
                let field = egui::vec2(260.0, 20.0);
                ui.horizontal(|ui| {
                    let label = ui.add_sized([60.0, 20.0], egui::Label::new("Address"));
                    ui.add_sized(
                        field,
                        egui::TextEdit::singleline(&mut self.address)
                            .hint_text("ws://127.0.0.1:4700"),
                    )
                    .on_hover_text(
                        "The server's WebSocket address; through an SSH tunnel \
                         (ssh -L 4700:127.0.0.1:4700 gpu-box) it is ws://127.0.0.1:4700",
                    )
                    .labelled_by(label.id);
                });
                ui.horizontal(|ui| {
                    let label = ui.add_sized([60.0, 20.0], egui::Label::new("Token"));
                    ui.add_sized(
                        field,
                        egui::TextEdit::singleline(&mut self.token).password(true),
                    )
                    .on_hover_text("The GANSCOPE_REMOTE_TOKEN the server was started with")
                    .labelled_by(label.id);
                });
                ui.checkbox(&mut self.remember_token, "Remember the token")
                    .on_hover_text("Kept in the app's settings file, in clear; off by default");
                if let Some(problem) = &self.problem {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
                ui.horizontal(|ui| {
                    if ui.button("Connect").clicked() {
                        match (address_of(&self.address), self.token.trim()) {
                            (Err(why), _) => self.problem = Some(why),
                            (Ok(_), "") => {
                                self.problem = Some("the server needs its token".into());
                            }
                            (Ok(address), token) => {
                                self.problem = None;
                                self.address = address.clone();
                                answer = Some(RemoteAnswer::Connect {
                                    target: RemoteTarget {
                                        address,
                                        token: token.to_string(),
                                    },
                                    remember_token: self.remember_token,
                                });
                            }
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(RemoteAnswer::Cancel);
                    }
                });
            });
        answer
    }
}
