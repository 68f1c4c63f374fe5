//! The confusion matrix: counts of (gold, predicted) label pairs, scikit-learn's orientation.

/// K×K counts, `get(i, j)` = rows with gold label i predicted as j.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    pub k: usize,
    pub counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// Counts label codes (each < k) pairwise.
    pub fn from_codes(k: usize, gold: &[u32], pred: &[u32]) -> ConfusionMatrix {
        let mut counts = vec![0u64; k * k];
        for (&g, &p) in gold.iter().zip(pred) {
            counts[g as usize * k + p as usize] += 1;
        }
        ConfusionMatrix { k, counts }
    }

    pub fn get(&self, gold: usize, pred: usize) -> u64 {
        self.counts[gold * self.k + pred]
    }

    /// Rows as nested vectors, for reports.
    pub fn rows(&self) -> Vec<Vec<u64>> {
        self.counts.chunks(self.k).map(|r| r.to_vec()).collect()
    }

    /// The non-zero cells as (gold, predicted) coordinates and their counts: all a resample
    /// can ever fill.
    pub fn nonzero(&self) -> (Vec<(u32, u32)>, Vec<u64>) {
        let mut cells = Vec::new();
        let mut counts = Vec::new();
        for (i, &c) in self.counts.iter().enumerate() {
            if c > 0 {
                cells.push(((i / self.k) as u32, (i % self.k) as u32));
                counts.push(c);
            }
        }
        (cells, counts)
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}
