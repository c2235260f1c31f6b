//! The native `random` provider.
