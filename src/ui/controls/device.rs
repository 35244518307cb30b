//! The side panel's device row: the local choices and Remote..., what the run trains on, a
//! remote device being connected, and Reconnect after one was lost.

use super::{Action, Controls};
use crate::protocol::DeviceChoice;

impl Controls<'_> {
    pub(super) fn device_picker(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        ui.horizontal(|ui| {
            ui.label("Device");
            for choice in DeviceChoice::ALL {
                if ui
                    .selectable_label(self.device == choice, choice.label())
                    .on_hover_text(choice.description())
                    .clicked()
                    && self.device != choice
                {
                    actions.push(Action::SelectDevice(choice));
                }
            }
            if ui
                .selectable_label(self.device == DeviceChoice::Remote, "Remote...")
                .on_hover_text(DeviceChoice::Remote.description())
                .clicked()
            {
                actions.push(Action::OpenRemote);
            }
        });
        if let Some(address) = &self.run.connecting {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.small(format!(
                    "connecting to {address} (at most {} s)…",
                    crate::protocol::CONNECT_TIMEOUT.as_secs()
                ));
            });
        }
        if let (None, None, Some(checkpoint)) =
            (&self.run.info, &self.run.connecting, &self.run.reconnect)
        {
            ui.label(
                egui::RichText::new("The remote device was lost.")
                    .small()
                    .color(ui.visuals().warn_fg_color),
            );
            if ui
                .button("Reconnect")
                .on_hover_text(format!(
                    "Connect to the server again (a fresh session) and continue from {}",
                    checkpoint.display()
                ))
                .clicked()
            {
                actions.push(Action::Reconnect(checkpoint.clone()));
            }
        }
        if let Some(info) = &self.run.info {
            ui.small(format!("{}: {}", info.device.backend, info.device.name));
            // Said for this run only: the next preset (a 2-D toy on the CPU, say) clears it.
            if let Some(notice) = &info.device.notice {
                ui.label(
                    egui::RichText::new(notice)
                        .small()
                        .color(ui.visuals().warn_fg_color),
                );
            }
        }
    }
}
