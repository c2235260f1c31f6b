//! The native `tls` provider.
