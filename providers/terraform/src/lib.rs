//! The native `terraform` provider.
