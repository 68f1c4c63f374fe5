//! The confusion matrix: counts of (gold, predicted) label pairs, scikit-learn's orientation,
//! stored as its non-zero cells so that memory grows with the rows, never with K² (30 000
//! classes would be 900M dense cells).

/// K×K counts held sparse: `cells[i]` = (gold, predicted) with `counts[i]` > 0 rows, sorted
/// row-major (by gold, then predicted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    pub k: usize,
    cells: Vec<(u32, u32)>,
    counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// Counts label codes (each < k) pairwise, in O(n log n) time and O(non-zero cells) memory.
    pub fn from_codes(k: usize, gold: &[u32], pred: &[u32]) -> ConfusionMatrix {
        let mut pairs: Vec<u64> = gold.iter().zip(pred).map(|(&g, &p)| (u64::from(g) << 32) | u64::from(p)).collect();
        pairs.sort_unstable();
        let mut cells = Vec::new();
        let mut counts = Vec::new();
        for run in pairs.chunk_by(|a, b| a == b) {
            cells.push(((run[0] >> 32) as u32, run[0] as u32));
            counts.push(run.len() as u64);
        }
        ConfusionMatrix { k, cells, counts }
    }

    /// Rows with gold label `gold` predicted as `pred`.
    pub fn get(&self, gold: usize, pred: usize) -> u64 {
        let key = (gold as u32, pred as u32);
        self.cells.binary_search(&key).map_or(0, |i| self.counts[i])
    }

    /// Rows as nested vectors (K² numbers: for small matrices only).
    pub fn rows(&self) -> Vec<Vec<u64>> {
        let mut rows = vec![vec![0u64; self.k]; self.k];
        for (&(g, p), &c) in self.cells.iter().zip(&self.counts) {
            rows[g as usize][p as usize] = c;
        }
        rows
    }

    /// The non-zero cells as (gold, predicted) coordinates and their counts: all a resample
    /// can ever fill.
    pub fn nonzero(&self) -> (Vec<(u32, u32)>, Vec<u64>) {
        (self.cells.clone(), self.counts.clone())
    }

    /// The non-zero cells as (gold, predicted, count), row-major.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32, u64)> + '_ {
        self.cells.iter().zip(&self.counts).map(|(&(g, p), &c)| (g, p, c))
    }

    /// The number of non-zero cells.
    pub fn nonzero_cells(&self) -> usize {
        self.cells.len()
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sparse matrix holds exactly the counts a dense K×K table of the same rows holds.
    #[test]
    fn sparse_cells_equal_a_dense_count() {
        let mut state = 3u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % m) as u32
        };
        for k in [1usize, 2, 3, 7, 40] {
            let n = 300;
            let gold: Vec<u32> = (0..n).map(|_| next(k as u64)).collect();
            let pred: Vec<u32> = (0..n).map(|_| next(k as u64)).collect();
            let mut dense = vec![0u64; k * k];
            for (&g, &p) in gold.iter().zip(&pred) {
                dense[g as usize * k + p as usize] += 1;
            }
            let cm = ConfusionMatrix::from_codes(k, &gold, &pred);
            for g in 0..k {
                for p in 0..k {
                    assert_eq!(cm.get(g, p), dense[g * k + p]);
                    assert_eq!(cm.rows()[g][p], dense[g * k + p]);
                }
            }
            assert_eq!(cm.nonzero_cells(), dense.iter().filter(|&&c| c > 0).count());
            assert_eq!(cm.total(), n as u64);
            let (cells, counts) = cm.nonzero();
            assert!(cells.windows(2).all(|w| w[0] < w[1]));
            assert!(counts.iter().all(|&c| c > 0));
        }
    }

    /// 200 000 classes with one row each: memory is the rows, not 4·10^10 cells.
    #[test]
    fn many_classes_stay_sparse() {
        let k = 200_000;
        let gold: Vec<u32> = (0..k as u32).collect();
        let pred: Vec<u32> = gold.iter().map(|&g| (g + 1) % k as u32).collect();
        let cm = ConfusionMatrix::from_codes(k, &gold, &pred);
        assert_eq!(cm.nonzero_cells(), k);
        assert_eq!(cm.get(5, 6), 1);
        assert_eq!(cm.get(5, 5), 0);
    }
}
