//! The reference classifier as a task holds it: loaded or trained on a helper thread the
//! first time it is asked for (the digits' for the procedural digits, the data set's own for
//! a labelled file set), then used to read generated (or translated) images and to place
//! them in its feature space for the Fréchet distance.

use crate::data::files;
use crate::engine::classifier::{self, Classifier, FEATURES};
use crate::metrics::coverage::{self, ClassCoverage};
use crate::metrics::frechet;
use crate::preset::DatasetSpec;
use burn::prelude::*;
use crossbeam_channel::Receiver;

/// Where the reference classifier stands.
pub enum ReferenceClassifier {
    NotNeeded,
    /// Not asked for yet; what it will be trained on.
    NotStarted(DatasetSpec),
    Training(Receiver<Classifier>),
    Ready(Box<Classifier>),
}

impl ReferenceClassifier {
    /// The classifier a data set's measurements need: digits (and digit pairs) and labelled
    /// file sets have one.
    pub fn for_data(spec: &DatasetSpec) -> ReferenceClassifier {
        match spec {
            DatasetSpec::Digits { .. }
            | DatasetSpec::DigitSkeletons { .. }
            | DatasetSpec::Files { .. } => ReferenceClassifier::NotStarted(spec.clone()),
            _ => ReferenceClassifier::NotNeeded,
        }
    }

    /// Start loading or training the classifier (on a helper thread) if not started yet.
    pub fn start(&mut self, device: &Device) {
        let _ = self.ready(device);
    }

    /// The classifier once ready; the first call starts loading or training it.
    fn ready(&mut self, device: &Device) -> Option<&Classifier> {
        match self {
            ReferenceClassifier::NotNeeded => return None,
            ReferenceClassifier::NotStarted(spec) => {
                *self = match spec {
                    DatasetSpec::Digits { size } | DatasetSpec::DigitSkeletons { size } => {
                        ReferenceClassifier::Training(classifier::spawn(*size, device.clone()))
                    }
                    DatasetSpec::Files {
                        path,
                        size,
                        channels,
                        ..
                    } => match files::load(std::path::Path::new(path), *size, *channels) {
                        // An unlabelled set has no classifier.
                        Ok(set) if set.labels.is_some() => ReferenceClassifier::Training(
                            classifier::spawn_for_set(set, device.clone()),
                        ),
                        _ => ReferenceClassifier::NotNeeded,
                    },
                    _ => ReferenceClassifier::NotNeeded,
                };
            }
            ReferenceClassifier::Training(pending) => {
                if let Ok(model) = pending.try_recv() {
                    *self = ReferenceClassifier::Ready(Box::new(model));
                }
            }
            ReferenceClassifier::Ready(_) => {}
        }
        match self {
            ReferenceClassifier::Ready(model) => Some(model),
            _ => None,
        }
    }

    /// Class coverage of `images` (flattened, `features` each; `asked` their intended
    /// classes) once the classifier is ready.
    pub fn coverage(
        &mut self,
        images: &[f32],
        features: usize,
        asked: Option<&[u32]>,
        device: &Device,
    ) -> Option<ClassCoverage> {
        let model = self.ready(device)?;
        let probabilities = model.probabilities(images, features, device);
        Some(coverage::class_coverage(
            &probabilities,
            model.classes(),
            asked,
        ))
    }

    /// The Fréchet distance between `generated` and `real` images in the classifier's
    /// feature space, once it is ready.
    pub fn frechet(
        &mut self,
        generated: &[f32],
        real: &[f32],
        features: usize,
        device: &Device,
    ) -> Option<f32> {
        let model = self.ready(device)?;
        let a = model.features(generated, features, device);
        let b = model.features(real, features, device);
        frechet::frechet_distance(&a, &b, FEATURES).map(|d| d as f32)
    }
}
