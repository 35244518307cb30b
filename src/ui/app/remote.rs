//! The Remote... device in the app: the window asking for the server, and what Connect does —
//! the engine hears of the server (`Command::SetRemote`), then loads the preset on the remote
//! device as any device change does (asking first when a trained run would be left).

use super::GanscopeApp;
use crate::protocol::{Command, DeviceChoice};
use crate::ui::controls::Action;
use crate::ui::remote::{RemoteAnswer, RemoteDialog};

impl GanscopeApp {
    /// Open the Remote... window with the remembered address (and token, if remembered).
    pub(super) fn open_remote(&mut self) {
        self.remote = Some(RemoteDialog::new(
            self.remote_address.clone(),
            self.remote_token.clone(),
        ));
    }

    /// Draw the Remote... window while it is open, and act on its answer.
    pub(super) fn remote_window(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.remote else {
            return;
        };
        match dialog.show(ctx) {
            Some(RemoteAnswer::Connect {
                target,
                remember_token,
            }) => {
                self.remote = None;
                self.remote_address = target.address.clone();
                self.remote_token = remember_token.then(|| target.token.clone());
                self.link.send(Command::SetRemote(Some(target)));
                self.apply_action(Action::SelectDevice(DeviceChoice::Remote));
            }
            Some(RemoteAnswer::Cancel) => self.remote = None,
            None => {}
        }
    }

    /// Reconnect: a fresh session with the same server (the engine moved on to the next slot
    /// when the last one was lost), continuing the lost run from `checkpoint` in its folder.
    pub(super) fn reconnect(&mut self, checkpoint: std::path::PathBuf) {
        self.device = DeviceChoice::Remote;
        self.link.send(Command::Resume {
            checkpoint,
            preset: None,
            device: DeviceChoice::Remote,
            fork: false,
        });
        self.loaded = self.selected.zip(Some(self.device));
    }

    /// Whether the Remote... window is open.
    pub fn remote_window_open(&self) -> bool {
        self.remote.is_some()
    }
}
