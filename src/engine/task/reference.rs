//! The reference digit classifier as a task holds it: loaded or trained on a helper thread the
//! first time it is asked for, then used to read generated (or translated) digits.

use crate::engine::classifier::{self, Classifier};
use crate::metrics::coverage::{self, ClassCoverage};
use crate::preset::DatasetSpec;
use burn::prelude::*;
use crossbeam_channel::Receiver;

/// Where the reference classifier stands.
pub enum ReferenceClassifier {
    NotNeeded,
    NotStarted { size: usize },
    Training(Receiver<Classifier>),
    Ready(Box<Classifier>),
}

impl ReferenceClassifier {
    /// The classifier a data set's measurements need: digits (and digit pairs) have one.
    pub fn for_data(spec: &DatasetSpec) -> ReferenceClassifier {
        match spec {
            DatasetSpec::Digits { size } | DatasetSpec::DigitSkeletons { size } => {
                ReferenceClassifier::NotStarted { size: *size }
            }
            _ => ReferenceClassifier::NotNeeded,
        }
    }

    /// Class coverage of `images` (flattened, `features` each; `asked` their intended
    /// classes) once the classifier is ready; the first call starts it.
    pub fn coverage(
        &mut self,
        images: &[f32],
        features: usize,
        asked: Option<&[u32]>,
        device: &Device,
    ) -> Option<ClassCoverage> {
        match self {
            ReferenceClassifier::NotNeeded => return None,
            ReferenceClassifier::NotStarted { size } => {
                let pending = classifier::spawn(*size, device.clone());
                *self = ReferenceClassifier::Training(pending);
            }
            ReferenceClassifier::Training(pending) => {
                if let Ok(model) = pending.try_recv() {
                    *self = ReferenceClassifier::Ready(Box::new(model));
                }
            }
            ReferenceClassifier::Ready(_) => {}
        }
        let ReferenceClassifier::Ready(model) = self else {
            return None;
        };
        let probabilities = model.probabilities(images, features, device);
        Some(coverage::class_coverage(
            &probabilities,
            crate::data::digits::CLASSES,
            asked,
        ))
    }
}
