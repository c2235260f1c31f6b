//! The native `time` provider.
