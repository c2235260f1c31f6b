//! The providers terrane has built in.
