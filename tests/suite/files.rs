//! Data sets from files: MNIST-format IDX sets round-trip through files the tests write,
//! hostile files get a message naming the file and never a panic (random and mutated bytes),
//! runs on file data resume exactly, and the real Fashion-MNIST loads whole where Debian's
//! package is installed.

use super::common::preset;
use ganscope::data::files::{self, idx};
use ganscope::engine::trainer::checkpoint;
use ganscope::engine::{Trainer, device};
use ganscope::preset::DatasetSpec;
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::io::Write;
use std::path::Path;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Write an IDX set of `n` images of `side`² (image i filled with value i) with labels
/// `i mod 3` (gzipped) into `dir`.
fn write_set(dir: &Path, n: usize, side: usize) {
    let pixels: Vec<u8> = (0..n).flat_map(|i| vec![i as u8; side * side]).collect();
    let images = idx::encode(&[n as u32, side as u32, side as u32], &pixels);
    let labels: Vec<u8> = (0..n).map(|i| (i % 3) as u8).collect();
    std::fs::write(dir.join("train-images-idx3-ubyte"), images).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("train-labels-idx1-ubyte.gz"),
        gzip(&idx::encode(&[n as u32], &labels)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn an_idx_set_round_trips_with_its_labels_and_class_names() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_set(dir.path(), 12, 6);
    let set = files::load(dir.path(), 8, 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((set.count, set.channels, set.side), (12, 3, 8));
    assert_eq!(set.class_names[..3], ["0", "1", "2"]);
    assert_eq!(set.class_counts()[..3], [4, 4, 4]);
    // Image 5: a 6 px square of 5s centred in 8 px of zero, in each of three channels.
    let image = &set.pixels[5 * 3 * 64..6 * 3 * 64];
    assert_eq!((image[0], image[9], image[64 + 9]), (0, 5, 5));
    // A second open shares the decoded set.
    let again = files::load(dir.path(), 8, 3).unwrap_or_else(|e| panic!("{e}"));
    assert!(std::sync::Arc::ptr_eq(&set, &again), "decoded once");
    let report = ganscope::cli::data::run(dir.path());
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn hostile_sets_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let error = |path: &Path| {
        files::load(path, 32, 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(
        error(dir.path()).contains("holds no data set"),
        "empty folder"
    );
    assert!(error(&dir.path().join("missing")).contains("cannot be read"));
    // Labels that do not match the images.
    write_set(dir.path(), 5, 4);
    std::fs::write(
        dir.path().join("train-labels-idx1-ubyte.gz"),
        gzip(&idx::encode(&[4], &[0, 1, 2, 3])),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let message = error(dir.path());
    assert!(
        message.contains("train-labels-idx1-ubyte.gz") && message.contains("4 labels for the 5"),
        "{message}"
    );
    // A Fashion-MNIST folder with a label past its ten classes.
    let fashion = dir.path().join("fashion-copy");
    std::fs::create_dir_all(&fashion).unwrap_or_else(|e| panic!("{e}"));
    write_set(&fashion, 2, 4);
    std::fs::write(
        fashion.join("train-labels-idx1-ubyte.gz"),
        gzip(&idx::encode(&[2], &[3, 12])),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        error(&fashion).contains("label 12 of image 1"),
        "{}",
        error(&fashion)
    );
    // A file named like IDX that is not one.
    let fake = dir.path().join("fake-images-idx3-ubyte");
    std::fs::write(&fake, b"PNG?").unwrap_or_else(|e| panic!("{e}"));
    let message = error(&fake);
    assert!(
        message.contains("fake-images-idx3-ubyte") && message.contains("IDX"),
        "{message}"
    );
    // A preset on a missing set fails to build, saying so; the CLI's `data` too.
    let mut p = preset("digits-dcgan");
    p.dataset = DatasetSpec::Files {
        path: dir.path().join("nowhere").display().to_string(),
        size: 32,
        channels: 1,
    };
    let refused = Trainer::try_new(&p, &device::cpu())
        .err()
        .map(|e| e.to_string());
    assert!(refused.unwrap_or_default().contains("nowhere"));
    assert!(ganscope::cli::data::run(&dir.path().join("nowhere")).is_err());
}

/// Cases of random and mutated bytes the IDX parsers get (`GANSCOPE_CASES` for a long run).
fn cases() -> usize {
    std::env::var("GANSCOPE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

#[test]
fn idx_parsers_answer_random_and_mutated_bytes_without_panicking() {
    let mut rng = StdRng::seed_from_u64(17);
    let images = idx::encode(&[3, 4, 5], &(0..60).map(|i| i as u8).collect::<Vec<_>>());
    let labels = idx::encode(&[3], &[1, 2, 0]);
    let valid = [images.clone(), gzip(&images), labels.clone(), gzip(&labels)];
    let n = cases();
    let mut accepted = 0;
    for case in 0..n {
        let bytes: Vec<u8> = if case % 5 == 0 {
            (0..rng.random_range(0..64)).map(|_| rng.random()).collect()
        } else {
            let mut out = valid[case % valid.len()].clone();
            for _ in 0..rng.random_range(1..=4) {
                let at = rng.random_range(0..=out.len());
                match rng.random_range(0..4) {
                    0 if at < out.len() => out[at] ^= 1 << rng.random_range(0..8),
                    1 => out.insert(at, rng.random()),
                    2 => out.truncate(at),
                    _ if at < out.len() => out[at] = rng.random(),
                    _ => {}
                }
            }
            out
        };
        // Ok with consistent sizes, or an error: never a panic (a header that lies is
        // refused before allocating what it claims).
        if let Ok(parsed) = idx::images(&bytes) {
            assert_eq!(
                parsed.pixels.len(),
                parsed.count * parsed.rows * parsed.columns
            );
            accepted += 1;
        }
        let _ = idx::labels(&bytes);
    }
    eprintln!("idx parsers: {n} cases, {accepted} images files accepted");
}

#[test]
fn a_run_on_file_data_resumes_exactly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_set(dir.path(), 40, 16);
    let mut p = preset("digits-dcgan");
    p.dataset = DatasetSpec::Files {
        path: dir.path().display().to_string(),
        size: 16,
        channels: 1,
    };
    p.train.batch_size = 8;
    p.train.samples = 8;
    let cpu = device::cpu();
    let steps = |t: &mut Trainer, n: usize| -> Vec<String> {
        (0..n)
            .map(|_| {
                let m = t.step().unwrap_or_else(|e| panic!("{e}"));
                format!("{:?} {:?} {:?}", m.g_loss, m.d_loss, m.d_real)
            })
            .collect()
    };
    let mut straight = Trainer::new(&p, &cpu);
    steps(&mut straight, 3);
    let runs = dir.path().join("run");
    straight
        .save_checkpoint(&runs)
        .unwrap_or_else(|e| panic!("{e}"));
    let continued = steps(&mut straight, 3);
    let mut resumed = Trainer::new(&p, &cpu);
    resumed
        .load_checkpoint(&checkpoint::resolve(&runs).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(steps(&mut resumed, 3), continued);
    assert_eq!(resumed.info().class_names[..3], ["0", "1", "2"]);
}

#[test]
fn fashion_mnist_loads_whole_and_trains_where_debian_ships_it() {
    let path = Path::new("/usr/share/datasets/fashion-mnist");
    if !path.is_dir() {
        eprintln!(
            "skipped: {} is missing (sudo apt-get install dataset-fashion-mnist)",
            path.display()
        );
        return;
    }
    let set = files::load(path, 32, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set.count, 60_000, "the training split");
    assert_eq!(set.source_size, (28, 28));
    assert_eq!(set.class_counts(), vec![6_000; 10]);
    assert_eq!(set.class_names[9], "Ankle boot");
    let mut trainer = Trainer::new(&preset("fashion-dcgan"), &device::cpu());
    for _ in 0..2 {
        trainer.step().unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(trainer.info().class_names[0], "T-shirt/top");
}
