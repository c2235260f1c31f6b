//! The Terraform language for terrane: loading configuration files into a module tree,
//! Terraform's values and types, expression evaluation and every built-in function.
//!
//! The engine has no side effects of its own: it reads configuration and the files that
//! file functions name through handles it is given, and it never writes anything.

// Diagnostics travel as the error of results on the cold path only; boxing them everywhere
// would cost more in noise than their size costs in copies.
#![allow(clippy::result_large_err)]

pub mod convert;
pub mod functions;
pub mod number;
pub mod value;
pub mod config;
pub mod diag;
pub mod typeexpr;
pub mod eval;
pub mod json;
pub mod vars;
pub mod format;
