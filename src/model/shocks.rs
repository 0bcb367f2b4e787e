//! Where the model's randomness comes from: one generator passed in, or none at all.
//!
//! `Shocks` is the only way the core sees random numbers, so a run's randomness is exactly the
//! sequence of draws from the generator the caller hands in. `NoShocks` is the deterministic
//! central run of `urbsim run`: every normal draw is 0 and every exponential its median, ln 2.

use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// A source of standard random draws.
pub trait Shocks {
    /// A standard normal draw.
    fn normal(&mut self) -> f64;
    /// A unit exponential draw.
    fn exponential(&mut self) -> f64;
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
}
