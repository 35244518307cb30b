//! Training on a remote device through burn-remote, end to end on one machine: the test starts
//! `ganscope serve --device cpu --port 0` (a loopback server on a free port, serving burn's
//! flex backend), then `ganscope train --device remote:ws://…` runs against it. A seeded run
//! gives the losses of the same run on the local CPU device, within float tolerance (the
//! server runs burn's own operations, while the local CPU path runs ganscope's folded
//! convolutions, fused linear layers and fused optimizer, which order their sums
//! differently); a wrong token is refused with a message saying so; the server binds the
//! loopback address by default and says when a client connects, is refused and leaves.

use super::common::{ganscope, trained_16px_run};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "test-token-7f3a";

/// A `ganscope serve` for one test, killed when dropped.
struct Server {
    child: Child,
    address: String,
    lines: crossbeam_channel::Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start() -> Server {
        Server::start_on(0)
    }

    /// A server on `port` (0: a free one).
    fn start_on(port: u16) -> Server {
        let mut child = ganscope()
            .args(["serve", "--device", "cpu", "--port", &port.to_string()])
            .env("GANSCOPE_REMOTE_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let (tx, lines) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            address: String::new(),
            lines,
            seen: Vec::new(),
        };
        let listening = server.wait_for("listening on ");
        server.address = listening
            .split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_string();
        server
    }

    /// The first line (from now) containing `text`, within a minute.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(line) = self.seen.iter().find(|l| l.contains(text)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("the server never said '{text}': {:?}", self.seen),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ganscope train` of `preset` (a name or a file) for `steps` on `device` into `out`.
fn train(preset: &Path, steps: u32, device: &str, token: &str, out: &Path) -> std::process::Output {
    ganscope()
        .args(["train", "--steps", &steps.to_string(), "--device", device])
        .arg("--preset")
        .arg(preset)
        .arg("--out")
        .arg(out)
        .env("GANSCOPE_REMOTE_TOKEN", token)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// (g_loss, d_loss, d_real, d_fake) of every step a run folder's metrics hold.
fn losses(run: &Path) -> Vec<[f64; 4]> {
    let text = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|m| {
            ["g_loss", "d_loss", "d_real", "d_fake"].map(|k| m[k].as_f64().unwrap_or(f64::NAN))
        })
        .collect()
}

/// The largest difference between two runs' numbers, relative to their size (at least 1).
fn largest_difference(a: &[[f64; 4]], b: &[[f64; 4]]) -> f64 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            x.iter()
                .zip(y)
                .map(|(p, q)| (p - q).abs() / p.abs().max(1.0))
        })
        .fold(0.0, f64::max)
}

/// `n` PNGs of seeded random colours, `side` px square, in `folder`.
fn noise_images(folder: &Path, n: u32, side: u32) {
    use rand::{Rng, SeedableRng};
    std::fs::create_dir_all(folder).unwrap_or_else(|e| panic!("{e}"));
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for i in 0..n {
        let image = image::RgbImage::from_fn(side, side, |_, _| image::Rgb(rng.random()));
        image
            .save(folder.join(format!("{i:02}.png")))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_seeded_run_on_the_remote_device_gives_the_local_cpu_losses() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut server = Server::start();
    assert!(
        server.address.starts_with("ws://127.0.0.1:"),
        "loopback by default: {}",
        server.address
    );
    let remote = format!("remote:{}", server.address);
    // The toy MLP, the DCGAN on 16-px digits (its preset written by the helper's run), and
    // the same DCGAN on an image folder, which the remote device keeps for the whole run
    // (each step sends its batch's indices, not its images).
    let _ = trained_16px_run(dir.path(), "digits-dcgan", 1);
    let folder = dir.path().join("photos");
    noise_images(&folder, 24, 16);
    let mut on_files = super::common::preset("digits-dcgan");
    on_files.dataset = ganscope::preset::DatasetSpec::Files {
        path: folder.display().to_string(),
        size: 16,
        channels: 3,
        classes: None,
    };
    on_files.train.batch_size = 8;
    let files_preset = dir.path().join("files-dcgan.toml");
    std::fs::write(
        &files_preset,
        toml::to_string(&on_files).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let presets = [
        (
            Path::new("presets/ring8-mlp.toml").to_path_buf(),
            "ring8",
            30,
        ),
        (dir.path().join("digits-dcgan-16.toml"), "dcgan", 5),
        (files_preset, "files", 5),
        // The transformer and super-resolution families (PixelShuffle; see
        // `models::pixel_shuffle`).
        (
            Path::new("presets/digits-transgan.toml").to_path_buf(),
            "transgan",
            2,
        ),
        (Path::new("presets/digits-sr4.toml").to_path_buf(), "sr4", 2),
    ];
    for (preset, name, steps) in presets {
        let local = dir.path().join(format!("{name}-local"));
        let far = dir.path().join(format!("{name}-remote"));
        let made = train(&preset, steps, "cpu", TOKEN, &local);
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let made = train(&preset, steps, &remote, TOKEN, &far);
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let (here, there) = (losses(&local), losses(&far));
        assert_eq!(here.len(), steps as usize, "{name}: every step's metrics");
        assert_eq!(there.len(), here.len(), "{name}: every step's metrics");
        let difference = largest_difference(&here, &there);
        assert!(
            difference < 1e-3,
            "{name}: the remote run strays from the local one by {difference}"
        );
        eprintln!("{name}: largest relative difference over {steps} steps: {difference:e}");
        // The run folder says where it trained.
        let events = std::fs::read_to_string(far.join("events.jsonl")).unwrap_or_default();
        assert!(
            events.contains("remote device at ws://127.0.0.1:"),
            "{events}"
        );
    }
    server.wait_for("client connected");
    server.wait_for("client gone");
}

#[test]
fn a_wrong_token_is_refused_and_the_server_says_so() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut server = Server::start();
    let remote = format!("remote:{}", server.address);
    let out = dir.path().join("refused");
    let refused = train(Path::new("ring8-mlp"), 2, &remote, "not-the-token", &out);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("refused the token"), "{stderr}");
    assert!(stderr.contains("GANSCOPE_REMOTE_TOKEN"), "{stderr}");
    server.wait_for("client refused (wrong token)");
    // Nothing listens here: the refusal is said at once (it took the whole connect
    // deadline, 15 s, before the address was probed first).
    let asked = Instant::now();
    let nobody = train(
        Path::new("ring8-mlp"),
        2,
        "remote:ws://127.0.0.1:9",
        TOKEN,
        &out,
    );
    let waited = asked.elapsed();
    assert!(!nobody.status.success());
    let said = String::from_utf8_lossy(&nobody.stderr);
    assert!(said.contains("cannot reach ws://127.0.0.1:9"), "{said}");
    assert!(
        waited < ganscope::protocol::CONNECT_TIMEOUT,
        "a refused connection was reported after {waited:?}"
    );
    // A server without a token refuses to start.
    let tokenless = ganscope()
        .args(["serve", "--device", "cpu", "--port", "0"])
        .env_remove("GANSCOPE_REMOTE_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!tokenless.status.success());
    assert!(String::from_utf8_lossy(&tokenless.stderr).contains("GANSCOPE_REMOTE_TOKEN"));
}

/// A long `ring8-mlp` run on the remote device at `address` into `run`, checkpointing every
/// 50 steps, with `env` added; returns once its first checkpoint is on disk.
fn long_run(address: &str, run: &Path, env: &[(&str, &str)]) -> Child {
    let mut command = ganscope();
    command
        .args([
            "train",
            "--preset",
            "ring8-mlp",
            "--steps",
            "1000000",
            "--checkpoint-every",
            "50",
            "--device",
        ])
        .arg(format!("remote:{address}"))
        .arg("--out")
        .arg(run)
        .env("GANSCOPE_REMOTE_TOKEN", TOKEN)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let training = command.spawn().unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(120);
    while ganscope::engine::trainer::checkpoint::resolve(run).is_err() {
        assert!(Instant::now() < deadline, "no checkpoint was ever written");
        std::thread::sleep(Duration::from_millis(50));
    }
    training
}

/// `training`'s exit status and stderr, within a minute (`hung` says what a timeout means).
fn ended(mut training: Child, hung: &str) -> (std::process::ExitStatus, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = training.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if Instant::now() > deadline {
            let _ = training.kill();
            panic!("{hung}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = training.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    (status, stderr)
}

#[test]
fn a_server_killed_mid_run_stops_the_run_with_its_last_checkpoint_intact() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut server = Server::start();
    let run = dir.path().join("cut");
    // Once a checkpoint is on disk, the server dies.
    let training = long_run(&server.address, &run, &[]);
    server.wait_for("client connected");
    let _ = server.child.kill();
    let _ = server.child.wait();
    // The run stops (no hang), saying why and where its last checkpoint is.
    let (status, stderr) = ended(training, "the run hung after its server died");
    assert!(!status.success());
    assert!(status.code() == Some(1), "an error, not a crash: {stderr}");
    assert!(stderr.contains("device stopped answering"), "{stderr}");
    assert!(stderr.contains("its last checkpoint is"), "{stderr}");
    // The weights are recoverable: the run continues from that checkpoint on the CPU.
    let resumed = ganscope()
        .args(["train", "--steps", "5", "--device", "cpu", "--resume"])
        .arg(&run)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
}

/// The app's Remote... device (egui_kittest): the window takes the address and token, Connect
/// loads the preset on the remote device (the side panel says so), and it trains there, with
/// its diagnostics and the explorer's renders; when
/// the server dies, the app says so and where the run's last checkpoint is, which loads; once
/// a server answers on that port again, Reconnect continues the run from that checkpoint.
#[test]
fn the_app_trains_on_a_remote_device_picked_in_its_window() {
    use super::ui::{harness, step_until};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut server = Server::start();
    let mut harness = harness("ring8-mlp");
    harness
        .state_mut()
        .set_recording(ganscope::ui::settings::Recording {
            runs_folder: dir.path().to_path_buf(),
            enabled: true,
            checkpoint_every: 10,
        });
    step_until(&mut harness, |app| app.run_state().info.is_some());
    connect_in_app(&mut harness, &server.address);
    step_until(&mut harness, |app| {
        app.run_state()
            .info
            .as_ref()
            .is_some_and(|i| i.device.backend == "remote")
    });
    harness.get_by_label("Train").click();
    // Past metrics_every (100) steps the diagnostics are measured, on the remote device too.
    step_until(&mut harness, |app| !app.run_state().diagnostics.is_empty());
    harness.get_by_label("Pause").click();
    // Resume is a button only once the engine says the run stopped.
    step_until(&mut harness, |app| !app.run_state().running);
    harness.run_steps(3);
    // The explorer renders from the remote G's snapshot of the paused step.
    let paused_at = harness.state().run_state().step;
    harness.get_by_label("Explorer").click();
    step_until(&mut harness, |app| {
        app.explorer().snapshot_step() == Some(paused_at)
    });
    // Moving z asks for a render of that G, which the remote device makes.
    harness.state_mut().explorer_mut().set_dimension(0, 0.5);
    step_until(&mut harness, |app| {
        app.explorer().snapshot_step() == Some(paused_at)
            && !app.explorer().latency_log().is_empty()
    });
    harness.get_by_label("Training").click();
    harness.run_steps(3);
    assert!(
        harness
            .query_by_label_contains("remote: the remote device at ws://127.0.0.1:")
            .is_some()
    );
    // The address is remembered for next time, the token only when asked.
    let settings = harness.state().settings();
    assert_eq!(settings.remote_address, server.address);
    assert_eq!(settings.remote_token, None);

    // The server dies while the run trains.
    let run = harness
        .state()
        .run_state()
        .folder
        .clone()
        .unwrap_or_else(|| panic!("the run is recorded"));
    harness.get_by_label("Resume").click();
    step_until(&mut harness, |app| app.run_state().step >= paused_at + 20);
    let _ = server.child.kill();
    let _ = server.child.wait();
    step_until(&mut harness, |app| app.run_state().info.is_none());
    let said = messages(&harness);
    assert!(
        said.iter()
            .any(|m| m.contains("stopped answering") && m.contains("is intact")),
        "{said:?}"
    );
    let checkpoint =
        ganscope::engine::trainer::checkpoint::resolve(&run).unwrap_or_else(|e| panic!("{e}"));
    let p = super::common::preset("ring8-mlp");
    let mut trainer = ganscope::engine::Trainer::new(&p, &ganscope::engine::device::cpu());
    trainer
        .load_checkpoint(&checkpoint)
        .unwrap_or_else(|e| panic!("the weights are recoverable: {e}"));
    let saved_at = trainer.steps_done();

    // The server is back on its port: Reconnect opens a fresh session (the next slot) and
    // continues the run from that checkpoint in its own folder.
    let port = server
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no port in {}", server.address));
    let mut back = Server::start_on(port);
    harness.run_steps(2);
    harness.get_by_label("Reconnect").click();
    step_until(&mut harness, |app| {
        app.run_state()
            .info
            .as_ref()
            .is_some_and(|i| i.device.backend == "remote")
    });
    back.wait_for("reconnected, session slot 1");
    // The run's curves go on from the checkpoint's step (its history arrives after it loads).
    step_until(&mut harness, |app| app.run_state().step == saved_at);
    assert_eq!(harness.state().run_state().folder.as_ref(), Some(&run));
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("stopped answering")
            .is_none(),
        "the loss is no longer reported once the run continues"
    );
    harness.get_by_label("Resume").click();
    step_until(&mut harness, |app| app.run_state().step >= saved_at + 10);
    harness.get_by_label("Pause").click();
    step_until(&mut harness, |app| !app.run_state().running);
    harness.run_steps(3);
    assert!(harness.query_by_label("Reconnect").is_none());
}

/// The messages the app's side panel shows.
fn messages(harness: &egui_kittest::Harness<'static, ganscope::ui::GanscopeApp>) -> Vec<String> {
    let run = harness.state().run_state();
    run.messages.iter().map(|m| m.text.clone()).collect()
}

/// Device → Remote..., the address and [`TOKEN`] typed in, Connect.
fn connect_in_app(
    harness: &mut egui_kittest::Harness<'static, ganscope::ui::GanscopeApp>,
    address: &str,
) {
    use egui_kittest::kittest::Queryable;
    harness.get_by_label("Remote...").click();
    // The click, then the window's sizing pass, then the window.
    harness.run_steps(4);
    assert!(harness.state().remote_window_open());
    harness.get_by_label("Address").focus();
    harness.run_steps(1);
    harness.get_by_label("Address").type_text(address);
    harness.get_by_label("Token").focus();
    harness.run_steps(1);
    harness.get_by_label("Token").type_text(TOKEN);
    harness.run_steps(1);
    harness.get_by_label("Connect").click();
    harness.run_steps(2);
    assert!(!harness.state().remote_window_open());
}

/// Connecting shows in the side panel while the window keeps drawing; a server that accepts
/// the connection and never answers is named once the connect deadline has passed.
#[test]
fn the_app_shows_it_connects_and_names_a_server_that_never_answers() {
    use super::ui::{harness, step_until};
    use egui_kittest::kittest::Queryable;
    // Accepted by the kernel's backlog, never answered.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let address = format!(
        "ws://{}",
        silent.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let mut harness = harness("ring8-mlp");
    step_until(&mut harness, |app| app.run_state().info.is_some());
    connect_in_app(&mut harness, &address);
    step_until(&mut harness, |app| app.run_state().connecting.is_some());
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains(&format!("connecting to {address}"))
            .is_some()
    );
    let started = Instant::now();
    step_until(&mut harness, |app| app.run_state().connecting.is_none());
    let waited = started.elapsed();
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("connecting to").is_none());
    let said = messages(&harness);
    assert!(
        said.iter()
            .any(|m| m.contains(&format!("no answer from {address}"))),
        "{said:?}"
    );
    eprintln!("a silent server was named after {waited:?}");
    // The CPU run goes on, and the device row says CPU again, not Remote... (it stayed
    // highlighted, and Train would have tried to connect).
    assert!(harness.state().run_state().info.is_some());
    assert_eq!(
        harness.state().settings().device,
        ganscope::protocol::DeviceChoice::Cpu
    );
    drop(silent);
}

/// A TCP relay to 127.0.0.1:`to` whose traffic can be frozen: a server that stalls without
/// closing its connection.
struct Relay {
    address: String,
    frozen: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

fn relay(to: u16) -> Relay {
    use std::net::{TcpListener, TcpStream};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let frozen = Arc::new(AtomicBool::new(false));
    let stall = frozen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().map_while(Result::ok) {
            let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else {
                return;
            };
            for (mut from, mut into) in [
                (client.try_clone(), server.try_clone()),
                (server.try_clone(), client.try_clone()),
            ]
            .into_iter()
            .filter_map(|(a, b)| Some((a.ok()?, b.ok()?)))
            {
                let stall = stall.clone();
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 1 << 16];
                    while let Ok(n) = std::io::Read::read(&mut from, &mut buffer) {
                        while stall.load(Ordering::Relaxed) {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        if n == 0 || std::io::Write::write_all(&mut into, &buffer[..n]).is_err() {
                            return;
                        }
                    }
                });
            }
        }
    });
    Relay {
        address: format!("ws://127.0.0.1:{port}"),
        frozen,
    }
}

#[test]
fn a_stalled_server_stops_the_run_at_the_read_deadline() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start();
    let port = server
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {}", server.address));
    let relay = relay(port);
    let run = dir.path().join("stalled");
    let training = long_run(&relay.address, &run, &[("GANSCOPE_REMOTE_DEADLINE", "3")]);
    relay
        .frozen
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let (status, stderr) = ended(training, "the run hung on a stalled server");
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no answer in 3 s"), "{stderr}");
    assert!(stderr.contains("its last checkpoint is"), "{stderr}");
    drop(server);
}

/// A file set kept on the device gives each step the very batch the host path builds: the
/// same indices from the same stream, the same values, the same labels.
#[test]
fn a_resident_set_gives_the_batches_the_host_path_gives() {
    use ganscope::engine::resident::Resident;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (class, offset) in [("a", 0), ("b", 1)] {
        noise_images(&dir.path().join(class), 5 + offset, 8);
    }
    let spec = ganscope::preset::DatasetSpec::Files {
        path: dir.path().display().to_string(),
        size: 8,
        channels: 3,
        classes: Some(2),
    };
    let open = || ganscope::data::open(&spec, 11).unwrap_or_else(|e| panic!("{e}"));
    let (mut host, mut kept) = (open(), open());
    let device = ganscope::engine::device::cpu().device;
    let resident =
        Resident::upload(kept.as_ref(), &device).unwrap_or_else(|| panic!("a small file set"));
    for n in [1, 7, 16] {
        let batch = host.batch(n);
        let indices = kept.draw(n).unwrap_or_else(|| panic!("indices"));
        let (x, labels) = resident.rows(&indices, &device);
        assert_eq!(x.dims(), [n, 8 * 8 * 3]);
        let values = x
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(values, batch.x, "batch of {n}");
        assert_eq!(labels, batch.labels, "labels of the batch of {n}");
    }
    // Generated data is drawn fresh every time: nothing to keep.
    let digits = ganscope::data::open(&ganscope::preset::DatasetSpec::Digits { size: 8 }, 1)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(Resident::upload(digits.as_ref(), &device).is_none());
}
