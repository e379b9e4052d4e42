//! Adaptive operator weights (roulette wheel), as in ALNS.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Operators chosen by roulette over weights that adapt, every 100
/// iterations, to the points (new best 33, improvement 9, acceptance 3) the
/// operators scored per use.
pub struct Adaptive<const N: usize> {
    weights: [f64; N],
    scores: [f64; N],
    uses: [usize; N],
}

impl<const N: usize> Adaptive<N> {
    pub fn new(weights: [f64; N]) -> Self {
        Adaptive {
            weights,
            scores: [0.0; N],
            uses: [0; N],
        }
    }

    pub fn pick(&self, rng: &mut ChaCha8Rng) -> usize {
        roulette(&self.weights, rng)
    }

    pub fn used(&mut self, i: usize) {
        self.uses[i] += 1;
    }

    pub fn reward(&mut self, i: usize, points: f64) {
        self.scores[i] += points;
    }

    pub fn adapt(&mut self) {
        for o in 0..N {
            if self.uses[o] > 0 {
                self.weights[o] =
                    0.8 * self.weights[o] + 0.2 * (self.scores[o] / self.uses[o] as f64).max(0.1);
            }
            self.scores[o] = 0.0;
            self.uses[o] = 0;
        }
    }
}

fn roulette(weights: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.r#gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}
