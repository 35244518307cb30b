//! The augmentation lab's plain data: what an experiment asks for, one arm's result, and the
//! reading of one k's results that every front end gives — each arm's Δ against the best arm
//! without GAN samples, and whether GAN samples helped, in a sentence.

use serde::{Deserialize, Serialize};

/// Classifier training steps of every arm unless asked otherwise.
pub const STEPS: usize = 400;

/// An experiment asked for from the front end, run on the latest snapshot of G (see
/// `engine::lab`).
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    /// Tags the results ([`super::Event::LabResult`]) so a front end can drop a former
    /// experiment's.
    pub id: u64,
    /// k values: real training images per class.
    pub per_class: Vec<usize>,
    /// Classifier seeds per arm.
    pub seeds: usize,
    /// Classifier training steps, every arm alike.
    pub steps: usize,
    /// The recorded run's folder, where the results are logged (`lab/step<S>.jsonl`);
    /// `None` for a run that is not recorded.
    pub run_folder: Option<std::path::PathBuf>,
}

/// One arm at one k, over the seeds; `ganscope augment` prints each as a JSON line and the
/// run folder's `lab/*.jsonl` keeps them the same way.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ArmResult {
    /// `real`, `real+classical`, `real+gan`, `gan` (GAN samples only) or `gan-test`.
    pub arm: String,
    /// k (0 for `gan-test`, which uses no subset).
    pub per_class: usize,
    /// Synthetic images per real image (0 for `real` and `real+classical`; none for the
    /// GAN-only arms).
    pub ratio: Option<f32>,
    pub accuracy_mean: f32,
    pub accuracy_std: f32,
    /// Accuracy of each seed's classifier.
    pub accuracies: Vec<f32>,
    /// Per-class recall, the mean over seeds.
    pub recall: Vec<f32>,
}

impl ArmResult {
    /// The arm in words: "real", "real + classical", "real + GAN ×0.25", "GAN only",
    /// "GAN-test".
    pub fn label(&self) -> String {
        match self.arm.as_str() {
            "real+classical" => "real + classical".into(),
            "real+gan" => format!("real + GAN ×{}", self.ratio.unwrap_or(0.0)),
            "gan" => "GAN only".into(),
            "gan-test" => "GAN-test".into(),
            other => other.into(),
        }
    }

    /// Whether the classifier trained without any GAN sample (the baselines).
    pub fn is_baseline(&self) -> bool {
        matches!(self.arm.as_str(), "real" | "real+classical")
    }

    /// Whether GAN samples were added to real ones (the augmentation the lab asks about).
    pub fn is_augmented(&self) -> bool {
        self.arm == "real+gan"
    }

    /// Standard error of the mean accuracy.
    fn standard_error(&self) -> f32 {
        self.accuracy_std / (self.accuracies.len().max(1) as f32).sqrt()
    }
}

/// Whether GAN samples helped at one k.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Helped {
    Yes,
    No,
    /// The difference is within the spread of the seeds (or one seed gives no spread).
    Unclear,
}

/// The reading of one k's results.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub per_class: usize,
    /// The best arm without GAN samples: each arm's Δ is against its mean.
    pub baseline: ArmResult,
    /// The best `real+gan` arm.
    pub augmented: ArmResult,
    /// Points of accuracy the best `real+gan` arm gains over the baseline (negative: loses).
    pub delta: f32,
    pub helped: Helped,
    pub sentence: String,
}

/// Arms whose mean accuracy differ by more than this many standard errors of the difference
/// differ "clearly" (about a 95 % two-sided level for normal errors).
const CLEAR: f32 = 2.0;

fn best<'a>(arms: impl Iterator<Item = &'a ArmResult>) -> Option<&'a ArmResult> {
    arms.max_by(|a, b| a.accuracy_mean.total_cmp(&b.accuracy_mean))
}

fn percent(arm: &ArmResult) -> String {
    format!(
        "{} ({:.1} ± {:.1} %)",
        arm.label(),
        100.0 * arm.accuracy_mean,
        100.0 * arm.accuracy_std
    )
}

/// Reads the results at k = `per_class`: `None` until its baselines and at least one
/// `real+gan` arm are in.
pub fn verdict(results: &[ArmResult], per_class: usize) -> Option<Verdict> {
    let at_k = || results.iter().filter(move |r| r.per_class == per_class);
    let baseline = best(at_k().filter(|r| r.is_baseline()))?;
    let augmented = best(at_k().filter(|r| r.is_augmented()))?;
    let delta = augmented.accuracy_mean - baseline.accuracy_mean;
    let spread = augmented.standard_error().hypot(baseline.standard_error());
    let seeds = augmented.accuracies.len().min(baseline.accuracies.len());
    let helped = if seeds < 2 {
        Helped::Unclear
    } else if delta > CLEAR * spread {
        Helped::Yes
    } else if delta < -CLEAR * spread {
        Helped::No
    } else {
        Helped::Unclear
    };
    let points = 100.0 * delta.abs();
    // "0.0 points below" reads oddly: a gap that rounds to nothing is "level with".
    let direction = if points < 0.05 {
        "level with".to_string()
    } else {
        let side = if delta >= 0.0 { "above" } else { "below" };
        format!("{points:.1} points {side}")
    };
    let sentence = match helped {
        Helped::Yes => format!(
            "At k = {per_class}, GAN samples helped: {} is {points:.1} points above the best \
             arm without them, {}.",
            percent(augmented),
            percent(baseline)
        ),
        Helped::No => format!(
            "At k = {per_class}, GAN samples did not help: the best arm with them, {}, is \
             {points:.1} points below {}.",
            percent(augmented),
            percent(baseline)
        ),
        Helped::Unclear if seeds < 2 => format!(
            "At k = {per_class}, no verdict from one seed: {} is {direction} \
             {}, but one classifier per arm gives no spread to judge by.",
            percent(augmented),
            percent(baseline)
        ),
        Helped::Unclear => format!(
            "At k = {per_class}, no clear difference: the best arm with GAN samples, {}, is \
             {direction} {}, within the spread of the seeds.",
            percent(augmented),
            percent(baseline)
        ),
    };
    Some(Verdict {
        per_class,
        baseline: baseline.clone(),
        augmented: augmented.clone(),
        delta,
        helped,
        sentence,
    })
}

/// What a GAN's own training data means for a claim at k = `per_class`: `trained_on` is the
/// k the GAN trained on (`[train] real_per_class`), `None` for the whole data set. `None`
/// when the comparison is fair.
pub fn fairness(per_class: usize, trained_on: Option<usize>) -> Option<String> {
    match trained_on {
        None => Some(format!(
            "This GAN trained on the whole data set, so at k = {per_class} its samples carry \
             more real images than the classifier is given: a gain here is not a low-data \
             claim (train a low-data GAN, [train] real_per_class = {per_class}, for that)."
        )),
        Some(k) if k > per_class => Some(format!(
            "This GAN trained on {k} real images per class, more than the classifier's \
             {per_class}: a gain at this k is not a fair low-data claim."
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(arm: &str, ratio: Option<f32>, accuracies: &[f32]) -> ArmResult {
        let n = accuracies.len() as f32;
        let mean = accuracies.iter().sum::<f32>() / n;
        let std = if accuracies.len() > 1 {
            (accuracies.iter().map(|a| (a - mean).powi(2)).sum::<f32>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        ArmResult {
            arm: arm.into(),
            per_class: 10,
            ratio,
            accuracy_mean: mean,
            accuracy_std: std,
            accuracies: accuracies.to_vec(),
            recall: vec![mean; 3],
        }
    }

    #[test]
    fn the_verdict_weighs_the_best_gan_arm_against_the_best_baseline_and_the_seeds() {
        let baselines = [
            arm("real", Some(0.0), &[0.80, 0.81, 0.79]),
            arm("real+classical", Some(0.0), &[0.84, 0.85, 0.83]),
        ];
        let with = |gan: &[f32]| {
            let mut all = baselines.to_vec();
            all.push(arm("real+gan", Some(0.5), &[0.70, 0.71, 0.69]));
            all.push(arm("real+gan", Some(1.0), gan));
            // GAN only is not augmentation: never the arm judged.
            all.push(arm("gan", None, &[0.99, 0.99, 0.99]));
            all
        };
        let yes = verdict(&with(&[0.90, 0.91, 0.89]), 10).unwrap_or_else(|| panic!("none"));
        assert_eq!(yes.helped, Helped::Yes);
        assert!((yes.delta - 0.06).abs() < 1e-5, "{}", yes.delta);
        assert_eq!(yes.baseline.arm, "real+classical");
        assert_eq!(yes.augmented.ratio, Some(1.0));
        assert!(yes.sentence.starts_with("At k = 10, GAN samples helped"));
        assert!(
            yes.sentence.contains("6.0 points above"),
            "{}",
            yes.sentence
        );
        let no = verdict(&with(&[0.75, 0.76, 0.74]), 10).unwrap_or_else(|| panic!("none"));
        assert_eq!(no.helped, Helped::No);
        assert!(no.sentence.contains("did not help"), "{}", no.sentence);
        // 0.5 points with a seed spread of 1 point: within the noise.
        let unclear = verdict(&with(&[0.835, 0.855, 0.845]), 10).unwrap_or_else(|| panic!(""));
        assert_eq!(unclear.helped, Helped::Unclear);
        assert!(unclear.sentence.contains("no clear difference"));
        assert!(
            unclear.sentence.contains("0.5 points above"),
            "{}",
            unclear.sentence
        );
        let level = verdict(&with(&[0.84, 0.85, 0.83]), 10).unwrap_or_else(|| panic!(""));
        assert!(
            level.sentence.contains("is level with"),
            "{}",
            level.sentence
        );
        // One seed has no spread: no verdict, whatever the gap.
        let one = vec![
            arm("real", Some(0.0), &[0.5]),
            arm("real+gan", Some(0.1), &[0.9]),
        ];
        let single = verdict(&one, 10).unwrap_or_else(|| panic!("none"));
        assert_eq!(single.helped, Helped::Unclear);
        assert!(single.sentence.contains("one seed"), "{}", single.sentence);
        // Nothing at another k, and nothing before an augmented arm is in.
        assert!(verdict(&with(&[0.9, 0.9, 0.9]), 50).is_none());
        assert!(verdict(&baselines, 10).is_none());
    }

    #[test]
    fn fairness_warns_when_the_gan_saw_more_real_images_than_the_classifier() {
        assert!(fairness(10, None).is_some_and(|t| t.contains("whole data set")));
        assert!(fairness(10, Some(50)).is_some_and(|t| t.contains("50 real images")));
        assert_eq!(fairness(50, Some(50)), None);
        assert_eq!(fairness(100, Some(50)), None);
    }
}
