//! The native `random` provider.

mod gorand;
