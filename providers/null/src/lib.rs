//! The native `null` provider.
