//! The native `local` provider.
