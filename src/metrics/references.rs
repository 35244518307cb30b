//! The literature's mode-collapse numbers for the ring of 8 and the grid of 25 Gaussians,
//! shipped as data (`assets/references/mode_collapse.toml`) and drawn as labelled reference
//! lines on the metric plots.

use serde::Deserialize;
use std::sync::LazyLock;

const TABLE: &str = include_str!("../../assets/references/mode_collapse.toml");

/// Which toy mixture a number is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mixture {
    Ring8,
    Grid25,
}

/// One method's published result on one mixture.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Result {
    pub modes: f32,
    /// Percent of samples that are high quality.
    pub high_quality: f32,
    pub reverse_kl: Option<f32>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Entry {
    pub method: String,
    /// Paper and table, e.g. "PacGAN T1".
    pub source: String,
    pub ring: Result,
    pub grid: Result,
}

impl Entry {
    pub fn result(&self, mixture: Mixture) -> &Result {
        match mixture {
            Mixture::Ring8 => &self.ring,
            Mixture::Grid25 => &self.grid,
        }
    }

    /// "PacGAN4 (PacGAN T1)".
    pub fn label(&self) -> String {
        format!("{} ({})", self.method, self.source)
    }

    /// The name to show among `all`: the method alone where it is unique ("PacGAN4"), with
    /// its paper where another entry shares the method ("GAN (VEEGAN)", "GAN (PacGAN)").
    pub fn name_among(&self, all: &[Entry]) -> String {
        if all.iter().filter(|e| e.method == self.method).count() > 1 {
            let paper = self
                .source
                .rsplit_once(' ')
                .map_or(self.source.as_str(), |(paper, _)| paper);
            format!("{} ({paper})", self.method)
        } else {
            self.method.clone()
        }
    }

    /// The source in words, for a student: "Table 1 of PacGAN (Lin et al. 2018)".
    pub fn citation(&self) -> String {
        let (paper, table) = self
            .source
            .rsplit_once(' ')
            .unwrap_or((self.source.as_str(), ""));
        let table = table
            .strip_prefix('T')
            .map_or_else(|| table.to_string(), |n| format!("Table {n}"));
        let cited = table_file()
            .papers
            .get(paper)
            .map_or_else(|| paper.to_string(), |who| format!("{paper} ({who})"));
        if table.is_empty() {
            cited
        } else {
            format!("{table} of {cited}")
        }
    }
}

#[derive(Deserialize)]
struct File {
    entry: Vec<Entry>,
    /// Paper name → authors and year.
    #[serde(default)]
    papers: std::collections::BTreeMap<String, String>,
}

/// The shipped table, parsed once.
fn table_file() -> &'static File {
    static FILE: LazyLock<File> = LazyLock::new(|| {
        toml::from_str::<File>(TABLE)
            .unwrap_or_else(|e| unreachable!("the shipped reference table parses (tested): {e}"))
    });
    &FILE
}

/// Every published entry, in the file's order (parsed once, on first use).
pub fn entries() -> &'static [Entry] {
    &table_file().entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_has_the_papers_numbers() {
        let all = entries();
        assert_eq!(all.len(), 8);
        let pac4 = all
            .iter()
            .find(|e| e.method == "PacGAN4")
            .unwrap_or_else(|| panic!("PacGAN4 is listed"));
        assert_eq!(pac4.result(Mixture::Grid25).modes, 24.8);
        assert_eq!(pac4.result(Mixture::Ring8).reverse_kl, Some(0.07));
        assert_eq!(pac4.label(), "PacGAN4 (PacGAN T1)");
        assert_eq!(pac4.citation(), "Table 1 of PacGAN (Lin et al. 2018)");
        assert!(
            all.iter()
                .all(|e| e.ring.modes <= 8.0 && e.grid.modes <= 25.0)
        );
        // Every entry is told apart by the name it is shown with.
        let names: std::collections::BTreeSet<String> =
            all.iter().map(|e| e.name_among(all)).collect();
        assert_eq!(names.len(), all.len(), "{names:?}");
        assert_eq!(pac4.name_among(all), "PacGAN4");
    }
}
