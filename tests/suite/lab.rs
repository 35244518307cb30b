//! The augmentation lab (`engine::lab`): per-class recall and accuracy from a confusion
//! matrix made by hand; a tiny experiment end to end with every arm's numbers finite and the
//! seeds differing; a cancel stops it early; the job logs each arm into the run folder as it
//! is measured, keeping them through a cancel; `ganscope augment` prints one JSON line per
//! arm and k with the keys.

use ganscope::engine::lab::{self, Confusion, LabelledSet, Plan, cnn};
use ganscope::protocol::Job;

#[test]
fn recall_and_accuracy_match_a_confusion_matrix_made_by_hand() {
    // Class 0: 3 right, 1 taken for 2; class 1: 2 right, 2 taken for 0; class 2: 4 right.
    let mut m = Confusion::new(3);
    for (truth, guess, times) in [(0, 0, 3), (0, 2, 1), (1, 1, 2), (1, 0, 2), (2, 2, 4)] {
        for _ in 0..times {
            m.add(truth, guess);
        }
    }
    m.add(7, 0); // out of range: ignored
    assert_eq!(m.recall(), vec![0.75, 0.5, 1.0]);
    assert!((m.accuracy() - 9.0 / 12.0).abs() < 1e-6);
    assert!(
        Confusion::new(2).recall().iter().all(|r| r.is_nan()),
        "no images: no recall"
    );
}

#[test]
fn a_shifted_image_moves_and_the_background_fills_in() {
    // 1 channel, 3×3: values 1..9.
    let image: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    let down_right = cnn::varied(&image, 1, 3, (1, 1), false);
    assert_eq!(down_right, vec![-1., -1., -1., -1., 1., 2., -1., 4., 5.]);
    let mirrored = cnn::varied(&image, 1, 3, (0, 0), true);
    assert_eq!(mirrored, vec![3., 2., 1., 6., 5., 4., 9., 8., 7.]);
}

/// Digits at 16 px as a labelled set drawn with `seed`.
fn digits(n: usize, seed: u64) -> LabelledSet {
    use ganscope::data::DataSource;
    let batch = ganscope::data::digits::Digits::new(16, seed).batch(n);
    LabelledSet {
        channels: 1,
        side: 16,
        classes: 10,
        pixels: batch.x,
        labels: batch.labels.unwrap_or_default(),
    }
}

#[test]
fn a_tiny_experiment_runs_every_arm_with_finite_numbers_and_differing_seeds() {
    let device = burn::prelude::Device::flex();
    let pool = digits(400, 1);
    let test = digits(200, 2);
    // "GAN samples": more real digits from another stream stand in for a good G.
    let calls = std::cell::RefCell::new(Vec::new());
    let mut synthetic = |n: usize| {
        calls.borrow_mut().push(n);
        let mut set = digits(n * 30, 3 + n as u64);
        let picked = ganscope::data::subset::per_class(&set.labels, 10, n, 0)?;
        set = set.select(&picked);
        Ok(set)
    };
    let plan = Plan {
        per_class: vec![3],
        seeds: 2,
        ratios: vec![0.5, 1.0],
        steps: 25,
        batch: 16,
        classical: cnn::Classical {
            shift: 1,
            flip: false,
        },
        seed: 7,
        given: None,
    };
    let job = Job::new("test");
    let mut reported = Vec::new();
    let results = lab::run(
        &plan,
        &pool,
        &test,
        &mut synthetic,
        &job,
        &mut |r| reported.push(r.arm.clone()),
        &device,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let arms: Vec<(&str, Option<f32>)> =
        results.iter().map(|r| (r.arm.as_str(), r.ratio)).collect();
    assert_eq!(
        arms,
        [
            ("gan-test", None),
            ("real", Some(0.0)),
            ("real+classical", Some(0.0)),
            ("real+gan", Some(0.5)),
            ("real+gan", Some(1.0)),
            ("gan", None)
        ]
    );
    assert_eq!(
        reported.len(),
        results.len(),
        "each result reported as it came"
    );
    for r in &results {
        assert_eq!(r.accuracies.len(), 2, "{}: one accuracy per seed", r.arm);
        assert!(
            r.accuracies.iter().all(|a| (0.0..=1.0).contains(a)),
            "{r:?}"
        );
        assert!(
            r.accuracy_mean.is_finite() && r.accuracy_std.is_finite(),
            "{r:?}"
        );
        assert_eq!(r.recall.len(), 10);
        assert!(r.recall.iter().all(|v| v.is_finite()), "{r:?}");
    }
    assert!(
        results.iter().any(|r| r.accuracies[0] != r.accuracies[1]),
        "the seeds train different classifiers"
    );
    // ratio × k per class: 0.5·3 rounds to 2, then 3; the GAN-only arm takes k.
    assert_eq!(calls.borrow()[1..], [2, 3, 3]);
    assert!(job.fraction() > 0.99);

    // The images a low-data GAN trained on replace the pool's cut at their k: given only
    // zeros, the real arm's classifiers call everything a zero.
    let zeros: Vec<usize> = (0..pool.len())
        .filter(|&i| pool.labels[i] == 0)
        .take(3)
        .collect();
    let given = Plan {
        given: Some((3, pool.select(&zeros))),
        ..plan.clone()
    };
    let results = lab::run(
        &given,
        &pool,
        &test,
        &mut synthetic,
        &Job::new("given"),
        &mut |_| {},
        &device,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let real = results
        .iter()
        .find(|r| r.arm == "real")
        .map(|r| r.recall.clone())
        .unwrap_or_default();
    assert_eq!(real, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);

    let cancelled = Job::new("cancelled");
    cancelled.cancel();
    let results = lab::run(
        &plan,
        &pool,
        &test,
        &mut synthetic,
        &cancelled,
        &mut |_| {},
        &device,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(results.len() <= 1, "a cancelled lab stops: {results:?}");
}

#[test]
fn the_augment_command_prints_one_json_line_per_arm_and_k() {
    use super::common::{ganscope, trained_16px_run};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = trained_16px_run(dir.path(), "digits-cgan", 2);
    let lab = ganscope()
        .args([
            "augment",
            "--per-class",
            "2,4",
            "--seeds",
            "2",
            "--steps",
            "3",
            "--checkpoint",
        ])
        .arg(&run)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        lab.status.success(),
        "{}",
        String::from_utf8_lossy(&lab.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&lab.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    // GAN-test, then per k: real, real+classical, four real+gan ratios, gan.
    assert_eq!(lines.len(), 1 + 2 * 7);
    for line in &lines {
        for key in ["arm", "per_class", "ratio", "accuracy_mean", "accuracy_std"] {
            assert!(line.get(key).is_some(), "{key} in {line}");
        }
    }
    let ks: Vec<u64> = lines[1..]
        .iter()
        .filter_map(|l| l["per_class"].as_u64())
        .collect();
    assert_eq!(ks, [2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4]);
    // The run folder logs the same lines; stderr reads them.
    let logged = lab::log::read(&run.join("lab/step0.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(logged.len(), lines.len());
    let printed: Vec<lab::ArmResult> = lines
        .iter()
        .filter_map(|l| serde_json::from_value(l.clone()).ok())
        .collect();
    assert_eq!(logged, printed);
    let stderr = String::from_utf8_lossy(&lab.stderr);
    assert!(
        stderr.contains("At k = 2,") && stderr.contains("At k = 4,"),
        "{stderr}"
    );
    assert!(stderr.contains("whole data set"), "the caveat: {stderr}");
    // An unconditional run is refused, saying why.
    let plain_run = trained_16px_run(dir.path(), "digits-dcgan", 1);
    let refused = ganscope()
        .args(["augment", "--per-class", "2", "--checkpoint"])
        .arg(&plain_run)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not conditional"));
}

#[test]
fn the_experiment_job_logs_each_arm_into_the_run_folder_and_a_cancel_keeps_them() {
    use super::common::trained_16px_run;
    use ganscope::engine::jobs;
    use ganscope::engine::snapshot::Snapshot;
    use ganscope::protocol::{DeviceChoice, Experiment};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let run = trained_16px_run(dir.path(), "digits-cgan", 2);
    let (snapshot, _) = Snapshot::load(&run, DeviceChoice::Cpu).unwrap_or_else(|e| panic!("{e}"));
    let experiment = Experiment {
        id: 1,
        per_class: vec![2],
        seeds: 2,
        steps: 3,
        run_folder: Some(run.clone()),
    };
    let job = Job::new("lab");
    let mut seen = 0;
    let measured = jobs::measure(&snapshot, &experiment, &job, &mut |_| {
        seen += 1;
        // Cancelled once two arms are in.
        if seen == 2 {
            job.cancel();
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(measured.cancelled);
    assert_eq!(measured.results.len(), 2, "{:?}", measured.results);
    let log = measured.log.clone().unwrap_or_default();
    assert_eq!(log, run.join("lab/step0.jsonl"));
    assert_eq!(
        lab::log::read(&log).unwrap_or_else(|e| panic!("{e}")),
        measured.results,
        "the log holds every arm measured"
    );
    assert!(measured.summary().contains("cancelled after 2 arms"));
    // A second experiment on the same G gets a file of its own.
    let again = jobs::measure(&snapshot, &experiment, &Job::new("again"), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.log, Some(run.join("lab/step0-2.jsonl")));
    assert_eq!(again.results.len(), 1 + 7);
    assert!(
        again.summary().contains("8 arms at k = 2"),
        "{}",
        again.summary()
    );
    // Nonsense sizes are refused before anything runs.
    let none = Experiment {
        per_class: vec![],
        ..experiment
    };
    assert!(jobs::measure(&snapshot, &none, &Job::new("none"), &mut |_| {}).is_err());
}
