//! Where the model's randomness comes from: one generator passed in, or none at all.
//!
//! `Shocks` is the only way the core sees random numbers, so a run's randomness is exactly the
//! sequence of draws from the generator the caller hands in. `NoShocks` is the deterministic
//! median run of `urbsim run`: every normal draw is 0 and every exponential its median, ln 2;
//! a rare yes/no event counts at its probability, because its yearly median (no event) would
//! bias every outcome that accumulates over years.

use rand::Rng;
use rand::RngExt;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// A source of standard random draws.
pub trait Shocks {
    /// A standard normal draw.
    fn normal(&mut self) -> f64;
    /// A unit exponential draw.
    fn exponential(&mut self) -> f64;
    /// An event of probability `p`: 1 or 0 from one uniform draw (always one, whatever `p`, so
    /// that every scenario sees the same future).
    fn event(&mut self, p: f64) -> f64;
}

/// No randomness: normals are 0 and exponentials are their median.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoShocks;

impl Shocks for NoShocks {
    fn normal(&mut self) -> f64 {
        0.0
    }
    fn exponential(&mut self) -> f64 {
        std::f64::consts::LN_2
    }
    fn event(&mut self, p: f64) -> f64 {
        p.clamp(0.0, 1.0)
    }
}

/// Draws from any seeded generator.
#[derive(Debug)]
pub struct RngShocks<G: Rng>(pub G);

impl<G: Rng> Shocks for RngShocks<G> {
    fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.0)
    }
    fn exponential(&mut self) -> f64 {
        Exp1.sample(&mut self.0)
    }
    fn event(&mut self, p: f64) -> f64 {
        let u: f64 = self.0.random();
        f64::from(u8::from(u < p))
    }
}
