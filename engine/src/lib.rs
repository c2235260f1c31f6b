//! The Terraform language for terrane: loading configuration files into a module tree,
//! Terraform's values and types, expression evaluation and every built-in function.
//!
//! The engine has no side effects of its own: it reads configuration and the files that
//! file functions name through handles it is given, and it never writes anything.

// Diagnostics travel as the error of results on the cold path only; boxing them everywhere
// would cost more in noise than their size costs in copies.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod convert;
pub mod diag;
pub mod eval;
pub mod format;
pub mod functions;
pub mod json;
pub mod number;
pub mod plan;
pub mod provider;
pub mod typeexpr;
pub mod value;
pub mod vars;
