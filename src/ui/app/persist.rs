//! What one session of the app hands the next: the settings it remembers (preset, device,
//! tab, theme, pace, recording, plots, remote server, last paths) and how a new session
//! takes them back.

use super::GanscopeApp;
use crate::protocol::{Command, DeviceChoice};
use crate::ui::controls::Action;
use crate::ui::settings::Settings;

impl GanscopeApp {
    /// Restore what a previous session remembered (the preset only when none was asked for on
    /// the command line and it still exists).
    pub fn restore(&mut self, settings: Settings, preset_given: bool) {
        self.set_recording(settings.recording);
        self.tab = settings.tab;
        self.light_theme = settings.light_theme;
        self.plots.settings = settings.plots;
        if settings.pace_ms > 0 {
            self.apply_action(Action::SetPace(settings.pace_ms));
        }
        self.remote_address = settings.remote_address;
        self.last_folders = settings.last_folders;
        self.remote_token = settings.remote_token;
        // A remote device comes back only with a remembered token; otherwise Auto, and the
        // address waits in the Remote... window.
        let device = match (settings.device, &self.remote_token) {
            (DeviceChoice::Remote, Some(token)) => {
                self.link
                    .send(Command::SetRemote(Some(crate::protocol::RemoteTarget {
                        address: self.remote_address.clone(),
                        token: token.clone(),
                    })));
                DeviceChoice::Remote
            }
            (DeviceChoice::Remote, None) => {
                // The token was not remembered: ask for it, with the address filled in,
                // rather than connecting without one or forgetting the device silently.
                let mut dialog =
                    crate::ui::remote::RemoteDialog::new(self.remote_address.clone(), None);
                dialog.note = Some(format!(
                    "The last session trained on the remote device at {}. Give its token to \
                     connect again (tokens are remembered only when asked), or Cancel to \
                     stay on Auto.",
                    self.remote_address
                ));
                self.remote = Some(dialog);
                DeviceChoice::Auto
            }
            (device, _) => device,
        };
        let saved = settings
            .preset
            .and_then(|name| self.presets.iter().position(|p| p.name == name));
        let preset = saved.filter(|_| !preset_given);
        if preset.is_some() || device != self.device {
            self.selected = preset.or(self.selected);
            self.device = device;
            self.load_selected();
        }
    }

    /// What the next session should remember.
    pub fn settings(&self) -> Settings {
        Settings {
            preset: self
                .selected
                .and_then(|i| self.presets.get(i))
                .map(|p| p.name.clone()),
            device: self.device,
            tab: self.tab,
            light_theme: self.light_theme,
            pace_ms: self.pace_ms,
            recording: self.recording.clone(),
            plots: self.plots.settings.clone(),
            remote_address: self.remote_address.clone(),
            remote_token: self.remote_token.clone(),
            last_folders: self.last_folders.clone(),
        }
    }
}
